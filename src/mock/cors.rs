//! Cross-origin requests from browsers (CORS), for Veriff's JS SDK, which
//! creates sessions from the integrator's page with an `XMLHttpRequest`
//! `POST /v1/sessions` carrying `x-auth-client` (the API key, publishable)
//! and `x-origin: js-sdk`. Those headers make the browser send a preflight
//! `OPTIONS` first.
//!
//! Mock choice (Veriff's docs say nothing of CORS): only create is open to
//! pages of any origin. Every other route needs the shared secret, or is a
//! mock-only control, and a shared secret never belongs in a browser: a
//! preflight for them gets a JSON 403 that says so and no `Access-Control-*`
//! header, so the browser refuses the call (the page sees a network error).

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;

/// The request headers the JS SDK sends on create, and the mock's own
/// controls, which a browser test may add.
const ALLOWED_HEADERS: &str =
    "content-type, x-auth-client, x-origin, vrf-integration-id, x-mock-fault, x-mock-delay-ms";

/// How long a browser may keep a preflight answer, in seconds.
const MAX_AGE_SECONDS: &str = "600";

/// `OPTIONS /v1/sessions`: the preflight answer, 204 with the methods and
/// headers create accepts, for any origin.
pub(crate) async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECONDS),
    );
    response
}

/// The path open to other origins.
const CREATE_PATH: &str = "/v1/sessions";

/// Middleware around the whole router: every answer on the create path (the
/// preflight, a 201, and every error, so that a wrong key reaches the page
/// as 401 rather than as a network error) allows the request's `Origin`,
/// and varies by it. Other paths pass unchanged.
pub(crate) async fn allow_origin(request: Request, next: Next) -> Response {
    let origin = (request.uri().path() == CREATE_PATH)
        .then(|| request.headers().get(header::ORIGIN).cloned())
        .flatten();
    let mut response = next.run(request).await;
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}

/// Whether a request is a CORS preflight: `OPTIONS` with
/// `Access-Control-Request-Method`.
pub(crate) fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// The answer to a preflight for any route but create.
pub(crate) fn refused_preflight() -> ApiError {
    ApiError::browser_refused()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_options_request_naming_a_method_is_a_preflight() {
        let mut headers = HeaderMap::new();
        assert!(!is_preflight(&Method::OPTIONS, &headers));
        headers.insert(
            header::ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static("GET"),
        );
        assert!(is_preflight(&Method::OPTIONS, &headers));
        assert!(!is_preflight(&Method::GET, &headers));
    }
}
