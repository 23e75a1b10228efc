//! Shared state, the checks every route runs, and the session routes
//! (create, submit, delete, open). Every `/v1` handler runs its checks in one
//! order: API key, (body size and memory budget,) signature, fault control,
//! content type and JSON, id lookup, body validation, state. A rejected
//! request never changes state.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::{Scheme, Signed, check_api_key, check_signature, requested_scheme};
use super::body::{BodyBudget, HeldBody, check_json_content_type, parse_json, read_limited};
use super::config::MockConfig;
use super::controls::check_fault;
use super::responses::{ApiError, Signing, json_response, signed_response};
use super::state::{Refusal, Session, Store};
use super::validate;

/// Shared state of one mock.
pub(crate) struct App {
    pub(crate) config: MockConfig,
    /// Public host, without a trailing `/`.
    pub(crate) host: String,
    pub(crate) store: Store,
    /// Request body bytes held in memory at once, over all requests.
    pub(crate) body_budget: BodyBudget,
}

impl App {
    /// Reads a request body within the size limit and the memory budget.
    async fn read_body(&self, headers: &HeaderMap, body: Body) -> Result<HeldBody, ApiError> {
        read_limited(headers, body, self.config.body_limit, &self.body_budget).await
    }

    /// The checks every signed body route runs first, in order: API key, body
    /// size and budget, signature over the raw bytes, fault control, content
    /// type, JSON (a parse failure is `bad_json`), then the session lookup.
    /// Returns the parsed body, the raw one (whose share of the body budget
    /// is held until the handler drops it with its response) and the
    /// signature scheme.
    pub(crate) async fn signed_json_body(
        &self,
        id: &str,
        headers: &HeaderMap,
        body: Body,
        bad_json: ApiError,
    ) -> Result<(Value, HeldBody, Scheme), ApiError> {
        check_api_key(headers, &self.config.api_key)?;
        let body = self.read_body(headers, body).await?;
        let bytes = body.bytes();
        let scheme = check_signature(headers, &self.config.shared_secret, bytes, Signed::Body)?;
        check_fault(headers)?;
        check_json_content_type(headers, bytes)?;
        let json = parse_json(bytes).ok_or(bad_json)?;
        self.store.get(id).ok_or(ApiError::not_found())?;
        Ok((json, body, scheme))
    }

    /// The checks every GET and DELETE runs first, in order: API key,
    /// signature over the id in the path (reference §2.3: the session,
    /// attempt or media id), fault control.
    pub(crate) fn signed_id(&self, id: &str, headers: &HeaderMap) -> Result<Scheme, ApiError> {
        check_api_key(headers, &self.config.api_key)?;
        let scheme = check_signature(
            headers,
            &self.config.shared_secret,
            id.as_bytes(),
            Signed::Id,
        )?;
        check_fault(headers)?;
        Ok(scheme)
    }

    /// How responses to a request signed with `scheme` are signed.
    pub(crate) fn signing(&self, scheme: Scheme) -> Signing<'_> {
        Signing {
            api_key: &self.config.api_key,
            shared_secret: &self.config.shared_secret,
            legacy: scheme == Scheme::Legacy,
            vrf: false,
        }
    }

    pub(crate) fn signed(&self, scheme: Scheme, status: StatusCode, body: &Value) -> Response {
        signed_response(self.signing(scheme), status, body)
    }

    /// A signed success response carrying the session's verification object.
    fn session_response(&self, scheme: Scheme, status: StatusCode, session: &Session) -> Response {
        self.signed(
            scheme,
            status,
            &json!({"status": "success", "verification": self.verification(session)}),
        )
    }

    /// The documented verification object (endpoint page, 200 response):
    /// `url` is `host` + `/v/` + `sessionToken`.
    fn verification(&self, session: &Session) -> Value {
        json!({
            "id": session.id,
            "url": format!("{}/v/{}", self.host, session.session_token),
            "vendorData": session.vendor_data,
            "host": self.host,
            "status": session.status.as_str(),
            "sessionToken": session.session_token,
        })
    }
}

pub(crate) type Shared = State<Arc<App>>;

/// The `{id}` path segment (the third: `/v1/sessions/{id}`, `/v1/media/{id}`,
/// `/v1/attempts/{id}/media`): decoded by axum when it can be, else taken raw
/// (such an id matches nothing, but still gets the usual checks in order).
pub(crate) fn path_id(path: Result<Path<String>, PathRejection>, uri: &Uri) -> String {
    match path {
        Ok(Path(id)) => id,
        Err(_) => uri.path().split('/').nth(3).unwrap_or_default().to_owned(),
    }
}

/// The id in the path of a GET or DELETE, authenticated the way every such
/// route is: API key, signature over the id (reference section 2.3), then the
/// fault control. The checks every id-signed route runs first, as one
/// extractor.
pub(crate) struct SignedId {
    /// The `{id}` path segment (see [`path_id`]).
    pub(crate) id: String,
    /// How the request was signed, so that the answer is signed alike.
    pub(crate) scheme: Scheme,
}

impl axum::extract::FromRequestParts<Arc<App>> for SignedId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &Arc<App>,
    ) -> Result<Self, ApiError> {
        let path = Path::<String>::from_request_parts(parts, app).await;
        let id = path_id(path, &parts.uri);
        let scheme = app.signed_id(&id, &parts.headers)?;
        Ok(SignedId { id, scheme })
    }
}

/// The error for a refused state change.
pub(crate) fn refusal_error(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::NotFound => ApiError::not_found(),
        Refusal::AlreadySubmitted => ApiError::already_submitted(),
        Refusal::CannotTransition(status) => ApiError::cannot_transition(status.as_str()),
        Refusal::NotDeletable => ApiError::not_deletable(),
        Refusal::TooLarge => ApiError::image_over_budget(),
    }
}

/// `POST /v1/sessions`: API key required, no signature (reference §2.3); 201
/// with a `created` session. A session whose `person.firstName` is
/// `Approve`, `Decline` or `Resubmit` is decided at submit (reference §7).
pub(crate) async fn create_session(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    check_api_key(&headers, &app.config.api_key)?;
    let body = app.read_body(&headers, body).await?;
    let bytes = body.bytes();
    check_fault(&headers)?;
    check_json_content_type(&headers, bytes)?;
    let json = parse_json(bytes).ok_or(ApiError::malformed_json())?;
    let new = validate::create_session(&json)?;
    let session = app.store.create(new);
    Ok(app.session_response(requested_scheme(&headers), StatusCode::CREATED, &session))
}

/// `PATCH /v1/sessions/{id}`, signed over the raw body; responses exactly as
/// the endpoint page documents them. Malformed JSON is "Validation failed"
/// too (the page's only 400 for a bad body). A `resubmission_requested`
/// session may be submitted again (reference §6.1); an `expired` or
/// `abandoned` one is 400 code 1304.
pub(crate) async fn submit_session(
    State(app): Shared,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id(path, &uri);
    let (json, _held, scheme) = app
        .signed_json_body(&id, &headers, body, ApiError::validation_failed())
        .await?;
    if !validate::is_submit_request(&json) {
        return Err(ApiError::validation_failed());
    }
    let session = app.store.submit(&id).map_err(refusal_error)?;
    Ok(app.session_response(scheme, StatusCode::OK, &session))
}

/// `DELETE /v1/sessions/{id}`, signed over the session id (reference §4.3
/// [DOC]): 200 `{"status":"success","verification":{"id"}}` for a deletable
/// session, after which it is 404 everywhere (its attempts and media too);
/// 400 `{"status":400,"code":"1305",...}` for `submitted` and `review`.
/// Mock choice: no rate limit (Veriff's is 5 an hour, 10 a day).
pub(crate) async fn delete_session(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    app.store.delete(&id).map_err(refusal_error)?;
    Ok(app.signed(
        scheme,
        StatusCode::OK,
        &json!({"status": "success", "verification": {"id": id}}),
    ))
}

/// `GET /v/{sessionToken}`: what the end user's browser opens (the session
/// `url`). No authentication. Moves `created` to `started`, and starts a new
/// attempt after a resubmission request (reference §6.1 statuses); `HEAD`
/// only looks. Unsigned response.
pub(crate) async fn open_session(
    State(app): Shared,
    method: Method,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(token)) = path else {
        return Err(ApiError::not_found());
    };
    let session = app
        .store
        .open(&token, method != Method::HEAD)
        .ok_or(ApiError::not_found())?;
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "status": "success",
            "verification": {"id": session.id, "status": session.status.as_str()},
        }),
    ))
}

/// Unknown paths: JSON 404.
pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Known paths with another method: JSON 405.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
