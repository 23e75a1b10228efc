//! The extractors that authenticate a request before its handler runs, so
//! that no handler checks credentials by hand. Each runs the checks of its
//! kind of route in one order, and a request that fails one never reaches its
//! handler (so it never changes state):
//!
//! - [`SignedId`] (GET, DELETE): API key, signature over the id in the path
//!   (docs/veriff-api.md, section 2.3: the session, attempt or media id),
//!   fault control.
//! - [`SignedJson`] (PATCH, POST media): API key, body size and memory budget,
//!   signature over the raw body, fault control, content type, JSON, the
//!   session lookup, then the body's own validation ([`JsonBody`]).
//! - [`KeyedJson`] (create, the decision trigger): the same without a
//!   signature (create needs the API key only) or a session.
//! - [`Keyed`] (the mock-only delivery log and resend): the API key only.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use serde_json::Value;

use super::app::App;
use super::auth::{Scheme, Signed, check_api_key, check_signature, requested_scheme};
use super::config::MockConfig;
use super::controls::check_fault;
use super::errors::ApiError;
use super::request_body::{HeldBody, check_json_content_type, parse_json, read_limited};

/// A JSON request body a route accepts, validated by its resource.
pub(crate) trait JsonBody: Sized {
    /// The answer to a body that is not JSON at all.
    const NOT_JSON: ApiError;

    /// Checks the parsed body and keeps what the route needs.
    fn validate(json: Value) -> Result<Self, ApiError>;

    /// The same under the mock's config, for the few bodies whose rules a
    /// setting changes (create: [`MockConfig::allow_http_callback`]).
    fn validate_for(json: Value, _config: &MockConfig) -> Result<Self, ApiError> {
        Self::validate(json)
    }
}

/// The id in the path of a GET or DELETE, authenticated: API key, signature
/// over the id, fault control.
pub(crate) struct SignedId {
    /// The `{id}` path segment (see [`path_id`]).
    pub(crate) id: String,
    /// How the request was signed, so that the answer is signed alike.
    pub(crate) scheme: Scheme,
}

impl FromRequestParts<Arc<App>> for SignedId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        let path = Path::<String>::from_request_parts(parts, app).await;
        let id = path_id(path, &parts.uri);
        check_api_key(&parts.headers, &app.config.api_key)?;
        let scheme = check_signature(
            &parts.headers,
            &app.config.shared_secret,
            id.as_bytes(),
            Signed::Id,
        )?;
        check_fault(&parts.headers)?;
        Ok(SignedId { id, scheme })
    }
}

/// A request that needs the API key only and has no body (the mock-only
/// `/mock/webhooks` routes).
pub(crate) struct Keyed;

impl FromRequestParts<Arc<App>> for Keyed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        check_api_key(&parts.headers, &app.config.api_key)?;
        Ok(Keyed)
    }
}

/// The body of a signed request on an existing session (`/v1/sessions/{id}`
/// and below), authenticated and validated as `B`.
pub(crate) struct SignedJson<B> {
    /// The session id in the path.
    pub(crate) id: String,
    pub(crate) body: B,
    /// How the request was signed, so that the answer is signed alike.
    pub(crate) scheme: Scheme,
    /// The raw body, whose share of the body budget is held until the handler
    /// returns (with its response).
    pub(crate) held: HeldBody,
}

impl<B: JsonBody> FromRequest<Arc<App>> for SignedJson<B> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<Self, ApiError> {
        let (mut parts, body) = request.into_parts();
        let path = Path::<String>::from_request_parts(&mut parts, app).await;
        let id = path_id(path, &parts.uri);
        let headers = &parts.headers;
        check_api_key(headers, &app.config.api_key)?;
        let held = read_body(app, headers, body).await?;
        let scheme = check_signature(
            headers,
            &app.config.shared_secret,
            held.bytes(),
            Signed::Body,
        )?;
        check_fault(headers)?;
        let json = json_of::<B>(headers, &held)?;
        app.store.get(&id).ok_or(ApiError::not_found())?;
        let body = B::validate_for(json, &app.config)?;
        Ok(SignedJson {
            id,
            body,
            scheme,
            held,
        })
    }
}

/// The body of a request that needs the API key only (create), validated as
/// `B`: API key, body size and memory budget, fault control, content type,
/// JSON.
pub(crate) struct KeyedJson<B> {
    pub(crate) body: B,
    /// The scheme the request names, if any: create needs no signature
    /// (docs/veriff-api.md, section 2.3) and none is checked, but a legacy
    /// `X-SIGNATURE` is answered with an `x-signature` (section 2.2).
    pub(crate) scheme: Scheme,
    /// The raw body, whose share of the body budget is held until the handler
    /// returns (with its response).
    pub(crate) held: HeldBody,
}

impl<B: JsonBody> FromRequest<Arc<App>> for KeyedJson<B> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let headers = &parts.headers;
        check_api_key(headers, &app.config.api_key)?;
        let held = read_body(app, headers, body).await?;
        check_fault(headers)?;
        let json = json_of::<B>(headers, &held)?;
        let body = B::validate_for(json, &app.config)?;
        Ok(KeyedJson {
            body,
            scheme: requested_scheme(headers),
            held,
        })
    }
}

/// Reads a request body within the size limit and the memory budget.
async fn read_body(app: &App, headers: &HeaderMap, body: Body) -> Result<HeldBody, ApiError> {
    read_limited(headers, body, app.config.body_limit, &app.body_budget).await
}

/// The body as JSON: a JSON content type, then a parse (`B::NOT_JSON` when
/// it fails).
fn json_of<B: JsonBody>(headers: &HeaderMap, held: &HeldBody) -> Result<Value, ApiError> {
    check_json_content_type(headers, held.bytes())?;
    parse_json(held.bytes()).ok_or(B::NOT_JSON)
}

/// The `{id}` path segment (the third: `/v1/sessions/{id}`, `/v1/media/{id}`,
/// `/v1/attempts/{id}/media`): decoded by axum when it can be, else taken raw
/// (such an id matches nothing, but still gets the usual checks in order).
fn path_id(path: Result<Path<String>, PathRejection>, uri: &Uri) -> String {
    match path {
        Ok(Path(id)) => id,
        Err(_) => uri.path().split('/').nth(3).unwrap_or_default().to_owned(),
    }
}
