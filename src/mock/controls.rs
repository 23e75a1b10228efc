//! Mock-only control headers: forced faults, response delays and forced
//! decisions. None exists in Veriff's API.

use std::time::Duration;

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;
use super::state::Status;

/// Request header that forces a failure on any `/v1` route.
///
/// The only value is `500`: the route answers with the PATCH page's
/// documented 500 body `{"status":"fail","code":"1101","message":"Something went wrong"}`.
/// It is checked after authentication (API key and signature) and before
/// anything else, so a faulted request never changes state. Any other value
/// gets a JSON 400.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use veriff_conformance::mock::{FAULT_HEADER, MockConfig, MockServer};
///
/// let server = MockServer::start(MockConfig::generated()).await?;
/// let response = reqwest::Client::new()
///     .post(format!("{}/v1/sessions", server.base_url()))
///     .header("x-auth-client", &server.config().api_key)
///     .header("content-type", "application/json")
///     .header(FAULT_HEADER, "500")
///     .body(r#"{"verification":{}}"#)
///     .send()
///     .await?;
/// assert_eq!(response.status(), 500);
/// assert_eq!(
///     response.text().await?,
///     r#"{"status":"fail","code":"1101","message":"Something went wrong"}"#
/// );
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub const FAULT_HEADER: &str = "x-mock-fault";

/// Request header that delays the response by a number of milliseconds.
///
/// Applies to every route (also unknown paths and `/v/{token}`). The mock
/// sleeps first and then handles the request, so the state a late response
/// reports is the state at the time it is sent. Values above
/// [`MAX_DELAY_MS`] are capped; a value that is not a non-negative integer
/// gets a JSON 400 right away, before any other check.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::{Duration, Instant};
/// use veriff_conformance::mock::{DELAY_HEADER, MockConfig, MockServer};
///
/// let server = MockServer::start(MockConfig::generated()).await?;
/// let started = Instant::now();
/// let response = reqwest::Client::new()
///     .get(format!("{}/v/unknown-token", server.base_url()))
///     .header(DELAY_HEADER, "150")
///     .send()
///     .await?;
/// assert_eq!(response.status(), 404);
/// assert!(started.elapsed() >= Duration::from_millis(150));
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub const DELAY_HEADER: &str = "x-mock-delay-ms";

/// Request header on `GET /v1/sessions/{id}/decision` that decides the
/// session first, standing in for the manual decision a Veriff test
/// integration needs (docs/veriff-api.md, sections 1 and 7).
///
/// Values: `approved`, `declined`, `resubmission_requested`, `review` (for a
/// `submitted` session, or one in `review`), `expired` (for a `created` one),
/// `abandoned` (for a `started` or `resubmission_requested` one). The request
/// is authenticated first; the decision is recorded, then the decision
/// answer is sent as usual. Asking for the status the session already has
/// changes nothing, so polling with the header is safe. A transition the
/// session cannot make gets 400 code 1304 `Cannot transition to "<status>"
/// status` (docs/veriff-api.md, section 3.3 \[DOC\] code) and changes nothing; an unknown value
/// gets a JSON 400 code 1101. Other routes ignore the header.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use veriff_conformance::mock::{DECISION_HEADER, MockConfig, MockServer};
/// use veriff_conformance::signing::sign;
///
/// let server = MockServer::start(MockConfig::generated()).await?;
/// let (key, secret) = (&server.config().api_key, &server.config().shared_secret);
/// let client = reqwest::Client::new();
/// let created: serde_json::Value = client
///     .post(format!("{}/v1/sessions", server.base_url()))
///     .header("x-auth-client", key)
///     .header("content-type", "application/json")
///     .body(r#"{"verification":{}}"#)
///     .send()
///     .await?
///     .json()
///     .await?;
/// let id = created["verification"]["id"].as_str().unwrap_or_default();
/// let submit = br#"{"verification":{"status":"submitted"}}"#;
/// client
///     .patch(format!("{}/v1/sessions/{id}", server.base_url()))
///     .header("x-auth-client", key)
///     .header("x-hmac-signature", sign(secret, submit))
///     .header("content-type", "application/json")
///     .body(&submit[..])
///     .send()
///     .await?;
/// let decision: serde_json::Value = client
///     .get(format!("{}/v1/sessions/{id}/decision", server.base_url()))
///     .header("x-auth-client", key)
///     .header("x-hmac-signature", sign(secret, id.as_bytes()))
///     .header(DECISION_HEADER, "approved")
///     .send()
///     .await?
///     .json()
///     .await?;
/// assert_eq!(decision["verification"]["code"], 9001);
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub const DECISION_HEADER: &str = "x-mock-decision";

/// The decision control's value, if sent.
pub(crate) fn requested_decision(headers: &HeaderMap) -> Result<Option<Status>, ApiError> {
    let Some(value) = headers.get(DECISION_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|text| Status::decision(text.trim()))
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_control(
                "x-mock-decision accepts approved, declined, resubmission_requested, review, expired or abandoned",
            )
        })
}

/// Longest delay [`DELAY_HEADER`] can ask for, in milliseconds.
pub const MAX_DELAY_MS: u64 = 60_000;

/// The fault control, which the extractors (`extract.rs`) run right after
/// authentication.
pub(crate) fn check_fault(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(FAULT_HEADER) {
        None => Ok(()),
        Some(value) if value.as_bytes() == b"500" => Err(ApiError::internal()),
        Some(_) => Err(ApiError::bad_control(
            "x-mock-fault accepts only the value 500",
        )),
    }
}

/// Parses the delay header; `Ok(None)` when absent.
fn requested_delay(headers: &HeaderMap) -> Result<Option<Duration>, ApiError> {
    let Some(value) = headers.get(DELAY_HEADER) else {
        return Ok(None);
    };
    let millis = value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::bad_control("x-mock-delay-ms must be a whole number of milliseconds")
        })?;
    Ok(Some(Duration::from_millis(millis.min(MAX_DELAY_MS))))
}

/// Middleware applying [`DELAY_HEADER`] to every route.
pub(crate) async fn delay(request: Request, next: Next) -> Response {
    match requested_delay(request.headers()) {
        Err(error) => error.into_response(),
        Ok(None) => next.run(request).await,
        Ok(Some(duration)) => {
            tokio::time::sleep(duration).await;
            next.run(request).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &'static str, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_str(value).expect("test header"));
        map
    }

    #[test]
    fn delays_are_parsed_and_capped() {
        assert_eq!(requested_delay(&HeaderMap::new()), Ok(None));
        assert_eq!(
            requested_delay(&with(DELAY_HEADER, "25")),
            Ok(Some(Duration::from_millis(25)))
        );
        assert_eq!(
            requested_delay(&with(DELAY_HEADER, "99999999999")),
            Ok(Some(Duration::from_millis(MAX_DELAY_MS)))
        );
        for bad in ["", "-1", "1.5", "soon"] {
            assert!(requested_delay(&with(DELAY_HEADER, bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn decision_values_are_the_decision_statuses() {
        assert_eq!(requested_decision(&HeaderMap::new()), Ok(None));
        assert_eq!(
            requested_decision(&with(DECISION_HEADER, "resubmission_requested")),
            Ok(Some(Status::ResubmissionRequested))
        );
        for bad in ["", "submitted", "Approved", "created", "9001"] {
            assert!(
                requested_decision(&with(DECISION_HEADER, bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_the_value_500_is_a_fault() {
        assert_eq!(check_fault(&HeaderMap::new()), Ok(()));
        assert_eq!(
            check_fault(&with(FAULT_HEADER, "500")),
            Err(ApiError::internal())
        );
        assert!(check_fault(&with(FAULT_HEADER, "503")).is_err_and(|e| e != ApiError::internal()));
    }
}
