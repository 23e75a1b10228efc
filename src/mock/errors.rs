//! The error catalogue: every failure the mock answers, as an HTTP status and
//! the documented `{"status":"fail","code","message"}` body (docs/veriff-api.md,
//! section 3). "The PATCH page" is Veriff's page for `PATCH /v1/sessions/{id}`
//! (docs/veriff-api.md, section 4.2), whose error table the mock follows; a
//! "mock choice" is the mock's own answer where Veriff documents none.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::response::{json_response, to_bytes};
use super::state::Refusal;

/// A failure response: HTTP status plus the documented error body shape
/// (docs/veriff-api.md, section 3.1: `code` is digits as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: Cow<'static, str>,
    /// The body's `status` is the HTTP status as a number (the DELETE page's
    /// documented 400), not `"fail"`.
    numeric_status: bool,
}

impl ApiError {
    const fn new(status: StatusCode, code: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code,
            message: Cow::Borrowed(message),
            numeric_status: false,
        }
    }

    /// PATCH page, 401 "x-auth-client header not provided".
    pub(crate) const fn missing_api_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "1101",
            "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.",
        )
    }

    /// docs/veriff-api.md, section 3.2 (credentials table), 1803.
    pub(crate) const fn integration_not_found() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "1803", "Integration not found")
    }

    /// PATCH page, 401 "x-hmac-signature validation failed".
    pub(crate) const fn invalid_signature() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "1812", "Invalid HMAC signature")
    }

    /// PATCH page, 404 "No session exists with the provided id". Also used
    /// for unknown paths and session tokens (mock choice).
    pub(crate) const fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "1101", "Resource not found")
    }

    /// PATCH page, 400 "Request contains invalid or unsupported status value".
    pub(crate) const fn validation_failed() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1101", "Validation failed")
    }

    /// PATCH page, 400 "Attempt to update a session that has already been submitted".
    pub(crate) const fn already_submitted() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1101",
            "Session has already been submitted",
        )
    }

    /// PATCH page, 500 "Unexpected error occurred while processing the request".
    pub(crate) const fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "1101",
            "Something went wrong",
        )
    }

    /// PATCH page: media after submit "may encounter the 409 - conflict
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

    /// docs/veriff-api.md, section 3.3: 1102 "mandatory parameters missing".
    pub(crate) const fn missing_parameters() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1102",
            "Mandatory parameters are missing from the request.",
        )
    }

    /// docs/veriff-api.md, section 3.3: 1104 "invalid parameters".
    pub(crate) const fn invalid_parameters() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1104", "Invalid parameters")
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1500 "`vendorData` longer than 1000 characters";
    /// the message is the mock's wording.
    pub(crate) const fn vendor_data_too_long() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1500",
            "vendorData must be at most 1,000 characters long",
        )
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1501 "`vendorData` is not a string".
    pub(crate) const fn vendor_data_not_string() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1501",
            "vendorData must be a string",
        )
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1302 "only HTTPS return (callback) URLs allowed".
    pub(crate) const fn callback_not_https() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1302",
            "Only HTTPS return URLs are allowed",
        )
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1400 "image data not found" (no `content`, or
    /// content that decodes to nothing).
    pub(crate) const fn image_data_not_found() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1400", "Image data not found")
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1401 "image not valid base64".
    pub(crate) const fn image_not_base64() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1401", "Image is not valid base64")
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1402 "image context not supported".
    pub(crate) const fn image_context_not_supported() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1402",
            "Image context is not supported",
        )
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1104 "invalid parameters", for
    /// content that is none of the documented media formats (section 4.4
    /// [DOC]); the code and message are the mock's choice.
    pub(crate) const fn unsupported_format() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "1104",
            "Image format is not supported",
        )
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1403 "image property missing" (no `image`, or no
    /// `image.context`).
    pub(crate) const fn image_property_missing() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1403", "Image property is missing")
    }

    /// Mock choice: media content over the documented "24 MB as base64"
    /// (docs/veriff-api.md, section 4.4, [DOC] size guidance; the error is [NF]).
    pub(crate) const fn image_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "1101",
            "Image content is larger than 24 MB of base64",
        )
    }

    /// Mock choice: a decoded medium larger than `MockConfig::media_budget`.
    pub(crate) const fn image_over_budget() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "1101",
            "Image is larger than the mock's media budget",
        )
    }

    /// DELETE page [DOC]: 400 `{"status":400,"code":"1305","message":"Session
    /// is not in a completed status."}`, with a numeric `status`.
    pub(crate) const fn not_deletable() -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "1305",
            message: Cow::Borrowed("Session is not in a completed status."),
            numeric_status: true,
        }
    }

    /// docs/veriff-api.md, section 3.3 [DOC]: 1304 "cannot transition to "$STATUS" status".
    pub(crate) fn cannot_transition(status: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "1304",
            message: Cow::Owned(format!("Cannot transition to \"{status}\" status")),
            numeric_status: false,
        }
    }

    /// docs/veriff-api.md, section 3.2 [DOC]: 1813, legacy `X-SIGNATURE` SHA256(query ID +
    /// secret) mismatch; the message is the mock's wording.
    pub(crate) const fn legacy_id_signature() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "1813", "Invalid SHA256 signature")
    }

    /// docs/veriff-api.md, section 3.2 [DOC]: 1814, legacy `X-SIGNATURE` SHA256(body + secret)
    /// mismatch; the message is the mock's wording.
    pub(crate) const fn legacy_body_signature() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "1814", "Invalid SHA256 signature")
    }

    /// Mock choice: a body route got a non-JSON content type.
    pub(crate) const fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "1101",
            "Content-Type must be application/json",
        )
    }

    /// Mock choice: the body did not arrive within `MockConfig::body_read_timeout`;
    /// a stalled upload must not hold its share of the body budget forever.
    pub(crate) const fn body_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "1101",
            "Request body was not received in time",
        )
    }

    /// Mock choice: the body is larger than `MockConfig::body_limit`.
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
    /// than hyper accepts.
    pub(crate) const fn uri_too_long() -> Self {
        Self::new(StatusCode::URI_TOO_LONG, "1101", "Request URI is too long")
    }

    /// Mock choice, replacing hyper's empty 431: too many header fields, or a
    /// request head larger than hyper's read buffer.
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

    /// Mock choice: a CORS preflight for any route but create (`cors.rs`).
    pub(crate) const fn browser_refused() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "1101",
            "Only POST /v1/sessions answers pages of other origins: the other routes need the shared secret, which belongs on a backend, never in a browser",
        )
    }

    /// Mock choice: a mock control header has a value the mock does not understand.
    pub(crate) fn bad_control(message: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "1101", message)
    }

    /// A mock-only route's 404 for a delivery id the log does not have
    /// (never had, or no longer keeps), naming it (cut at 100 characters).
    pub(crate) fn unknown_delivery(id: &str) -> Self {
        let shown: String = id.chars().take(100).collect();
        Self {
            status: StatusCode::NOT_FOUND,
            code: "1101",
            message: Cow::Owned(format!(
                "No webhook delivery {shown:?} in the log (it keeps the latest 1,000); \
                 GET /mock/webhooks lists their ids"
            )),
            numeric_status: false,
        }
    }
}

impl ApiError {
    /// The serialized `{"status":"fail","code","message"}` body.
    pub(crate) fn body_bytes(&self) -> Vec<u8> {
        to_bytes(&self.body())
    }

    fn body(&self) -> Value {
        let status = if self.numeric_status {
            json!(self.status.as_u16())
        } else {
            json!("fail")
        };
        json!({
            "status": status,
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

impl From<Refusal> for ApiError {
    /// The error for a state change the store refused.
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotFound => ApiError::not_found(),
            Refusal::AlreadySubmitted => ApiError::already_submitted(),
            Refusal::CannotTransition(status) => ApiError::cannot_transition(status.as_str()),
            Refusal::NotDeletable => ApiError::not_deletable(),
            Refusal::TooLarge => ApiError::image_over_budget(),
        }
    }
}
