//! Route handlers. Every `/v1` handler runs its checks in one order: API key,
//! (body size and memory budget,) signature, fault control, content type and
//! JSON, session lookup, body validation, state. A rejected request never
//! changes state.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::{check_api_key, check_signature};
use super::body::{BodyBudget, HeldBody, check_json_content_type, parse_json, read_limited};
use super::config::MockConfig;
use super::controls::check_fault;
use super::responses::{ApiError, json_response, signed_response};
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
    /// Returns the parsed body, and the raw one, whose share of the body
    /// budget is held until the handler drops it with its response.
    async fn signed_json_body(
        &self,
        id: &str,
        headers: &HeaderMap,
        body: Body,
        bad_json: ApiError,
    ) -> Result<(Value, HeldBody), ApiError> {
        check_api_key(headers, &self.config.api_key)?;
        let body = self.read_body(headers, body).await?;
        let bytes = body.bytes();
        check_signature(headers, &self.config.shared_secret, bytes)?;
        check_fault(headers)?;
        check_json_content_type(headers, bytes)?;
        let json = parse_json(bytes).ok_or(bad_json)?;
        self.store.get(id).ok_or(ApiError::not_found())?;
        Ok((json, body))
    }

    fn signed(&self, status: StatusCode, body: &Value) -> Response {
        signed_response(
            &self.config.api_key,
            &self.config.shared_secret,
            status,
            body,
        )
    }

    /// A signed success response carrying the session's verification object.
    fn session_response(&self, status: StatusCode, session: &Session) -> Response {
        self.signed(
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

type Shared = State<Arc<App>>;

/// The `{id}` path segment: decoded by axum when it can be, else taken raw
/// (such an id matches no session, but still gets the usual checks in order).
fn session_id(path: Result<Path<String>, PathRejection>, uri: &Uri) -> String {
    match path {
        Ok(Path(id)) => id,
        Err(_) => uri.path().split('/').nth(3).unwrap_or_default().to_owned(),
    }
}

/// `POST /v1/sessions`: API key required, no signature (api notes:
/// "Authentication"); 201 with a `created` session (api notes: "Session lifecycle").
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
    let vendor_data = validate::create_vendor_data(&json)?;
    let session = app.store.create(vendor_data);
    Ok(app.session_response(StatusCode::CREATED, &session))
}

/// `POST /v1/sessions/{id}/media`, signed over the raw body (api notes:
/// "Authentication"); 201 while `created` or `started`, 409 once submitted
/// (endpoint page, "Implementation notes").
pub(crate) async fn upload_media(
    State(app): Shared,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let id = session_id(path, &uri);
    let (json, _held) = app
        .signed_json_body(&id, &headers, body, ApiError::malformed_json())
        .await?;
    let image = validate::media_image(&json)?;
    match app.store.accepts_media(&id) {
        Ok(_) => {}
        Err(Refusal::NotFound) => return Err(ApiError::not_found()),
        Err(Refusal::AlreadySubmitted) => return Err(ApiError::conflict()),
    }
    Ok(app.signed(
        StatusCode::CREATED,
        &json!({
            "status": "success",
            "image": {
                "context": image.context,
                "id": uuid::Uuid::new_v4().to_string(),
                "name": image.context,
                "timestamp": image.timestamp,
            },
        }),
    ))
}

/// `PATCH /v1/sessions/{id}`, signed over the raw body; responses exactly as
/// the endpoint page documents them. Malformed JSON is "Validation failed"
/// too (the page's only 400 for a bad body).
pub(crate) async fn submit_session(
    State(app): Shared,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let id = session_id(path, &uri);
    let (json, _held) = app
        .signed_json_body(&id, &headers, body, ApiError::validation_failed())
        .await?;
    if !validate::is_submit_request(&json) {
        return Err(ApiError::validation_failed());
    }
    let session = app.store.submit(&id).map_err(|refusal| match refusal {
        Refusal::NotFound => ApiError::not_found(),
        Refusal::AlreadySubmitted => ApiError::already_submitted(),
    })?;
    Ok(app.session_response(StatusCode::OK, &session))
}

/// `GET /v1/sessions/{id}/decision`, signed over the session id (api notes:
/// "Authentication"). The mock never decides, so `verification` is `null`.
pub(crate) async fn decision(
    State(app): Shared,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = session_id(path, &uri);
    check_api_key(&headers, &app.config.api_key)?;
    check_signature(&headers, &app.config.shared_secret, id.as_bytes())?;
    check_fault(&headers)?;
    app.store.get(&id).ok_or(ApiError::not_found())?;
    Ok(app.signed(
        StatusCode::OK,
        &json!({"status": "success", "verification": null}),
    ))
}

/// `GET /v/{sessionToken}`: what the end user's browser opens (the session
/// `url`). No authentication. Moves `created` to `started` (api notes:
/// "Session lifecycle" statuses); `HEAD` only looks. Unsigned response.
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
