//! Response bodies: the documented `{"status":"fail","code","message"}` errors
//! and signed success bodies.

use std::borrow::Cow;

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign};

/// A failure response: HTTP status plus the documented error body shape
/// (api notes: "Response bodies": `code` is digits as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: Cow<'static, str>,
}

impl ApiError {
    const fn new(status: StatusCode, code: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code,
            message: Cow::Borrowed(message),
        }
    }

    /// Endpoint page, 401 "x-auth-client header not provided".
    pub(crate) const fn missing_api_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "1101",
            "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.",
        )
    }

    /// Api notes: "Response bodies", credentials table, 1803.
    pub(crate) const fn integration_not_found() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "1803", "Integration not found")
    }

    /// Endpoint page, 401 "x-hmac-signature validation failed".
    pub(crate) const fn invalid_signature() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "1812", "Invalid HMAC signature")
    }

    /// Endpoint page, 404 "No session exists with the provided id". Also used
    /// for unknown paths and session tokens (mock choice).
    pub(crate) const fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "1101", "Resource not found")
    }

    /// Endpoint page, 400 "Request contains invalid or unsupported status value".
    pub(crate) const fn validation_failed() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1101", "Validation failed")
    }

    /// Endpoint page, 400 "Attempt to update a session that has already been submitted".
    pub(crate) const fn already_submitted() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1101",
            "Session has already been submitted",
        )
    }

    /// Endpoint page, 500 "Unexpected error occurred while processing the request".
    pub(crate) const fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "1101",
            "Something went wrong",
        )
    }

    /// Endpoint page: media after submit "may encounter the 409 - conflict
    /// error"; the body is a mock choice.
    pub(crate) const fn conflict() -> Self {
        Self::new(StatusCode::CONFLICT, "1101", "Conflict")
    }

    /// Mock choice: unparsable JSON on create and media.
    pub(crate) const fn malformed_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1101",
            "Request body is not valid JSON",
        )
    }

    /// Api notes: 1102 "mandatory parameters missing".
    pub(crate) const fn missing_parameters() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1102",
            "Mandatory parameters are missing from the request.",
        )
    }

    /// Api notes: 1104 "invalid parameters".
    pub(crate) const fn invalid_parameters() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1104", "Invalid parameters")
    }

    /// Api notes: 1501 "vendorData limits"; endpoint page: "max 1,000 characters".
    pub(crate) const fn invalid_vendor_data() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1501",
            "vendorData must be a string of at most 1,000 characters",
        )
    }

    /// Mock choice: a body route got a non-JSON content type.
    pub(crate) const fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "1101",
            "Content-Type must be application/json",
        )
    }

    /// Mock choice: the body is larger than `MockConfig::body_limit`.
    /// Mock choice: the body did not arrive within `MockConfig::body_read_timeout`;
    /// a stalled upload must not hold its share of the body budget forever.
    pub(crate) const fn body_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "1101",
            "Request body was not received in time",
        )
    }

    pub(crate) const fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "1101",
            "Request body is too large",
        )
    }

    /// Mock choice: no room in `MockConfig::body_budget` for this request's
    /// body within `MockConfig::body_budget_wait`.
    pub(crate) const fn busy() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "1101",
            "Too many request bodies in memory; retry later",
        )
    }

    /// Mock choice, replacing hyper's empty 414: the request target is longer
    /// than hyper accepts (64 KiB).
    pub(crate) const fn uri_too_long() -> Self {
        Self::new(StatusCode::URI_TOO_LONG, "1101", "Request URI is too long")
    }

    /// Mock choice, replacing hyper's empty 431: more than 100 header fields,
    /// or a request head larger than hyper's read buffer (about 400 KiB).
    pub(crate) const fn request_head_too_large() -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "1101",
            "Request header fields are too large",
        )
    }

    /// Mock choice, replacing hyper's empty 400: a request head that is not
    /// valid HTTP/1.1 (method, target, version, header syntax or framing).
    pub(crate) const fn malformed_http() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1101", "Malformed HTTP request")
    }

    /// Mock choice: a known path with a method it does not serve.
    pub(crate) const fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "1101", "Method not allowed")
    }

    /// Mock choice: a mock control header has a value the mock does not understand.
    pub(crate) fn bad_control(message: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1101", message)
    }
}

impl ApiError {
    /// The serialized `{"status":"fail","code","message"}` body.
    pub(crate) fn body_bytes(&self) -> Vec<u8> {
        to_bytes(&self.body())
    }

    fn body(&self) -> Value {
        json!({
            "status": "fail",
            "code": self.code,
            "message": self.message,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// Serializes `body` once; falls back to the documented 500 body (which cannot
/// fail to serialize) rather than panicking.
fn to_bytes(body: &Value) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_else(|_| {
        br#"{"status":"fail","code":"1101","message":"Something went wrong"}"#.to_vec()
    })
}

/// An unsigned JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        to_bytes(body),
    )
        .into_response()
}

/// A signed JSON response (api notes: "Authentication": "Responses are signed
/// too"): serialize once, sign those bytes with the shared secret, send those
/// bytes, with `x-auth-client` and `x-hmac-signature` headers.
pub(crate) fn signed_response(
    api_key: &str,
    shared_secret: &str,
    status: StatusCode,
    body: &Value,
) -> Response {
    let bytes = to_bytes(body);
    let signature = sign(shared_secret, &bytes);
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response();
    let headers = response.headers_mut();
    // An API key that cannot be a header value is simply not echoed.
    if let Ok(value) = HeaderValue::from_str(api_key) {
        headers.insert(HeaderName::from_static(API_KEY_HEADER), value);
    }
    if let Ok(value) = HeaderValue::from_str(&signature) {
        headers.insert(HeaderName::from_static(SIGNATURE_HEADER), value);
    }
    response
}
