//! The mock-only control headers: forced faults and delays.

use std::time::{Duration, Instant};

use reqwest::Method;
use veriff_conformance::mock::{DELAY_HEADER, FAULT_HEADER};

use crate::support::{MEDIA, Mock, SUBMIT};

const SOMETHING_WENT_WRONG: &str = "Something went wrong";

#[tokio::test]
async fn fault_header_gives_the_documented_500_on_every_v1_route() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let requests = [
        mock.keyed(Method::POST, "/v1/sessions", b"{}"),
        mock.signed(Method::POST, &format!("/v1/sessions/{id}/media"), MEDIA),
        mock.signed(Method::PATCH, &format!("/v1/sessions/{id}"), SUBMIT),
        mock.signed_get(&format!("/v1/sessions/{id}/decision"), &id),
    ];
    for request in requests {
        mock.send(request.header(FAULT_HEADER, "500"))
            .await
            .assert_fail(500, "1101", SOMETHING_WENT_WRONG);
    }
    // The faulted submit did not submit.
    assert_eq!(mock.submit(&id).await.status, 200);
}

#[tokio::test]
async fn fault_header_is_checked_after_authentication() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let unsigned = mock
        .keyed(Method::PATCH, &format!("/v1/sessions/{id}"), SUBMIT)
        .header(FAULT_HEADER, "500");
    mock.send(unsigned)
        .await
        .assert_fail(401, "1812", "Invalid HMAC signature");
}

#[tokio::test]
async fn fault_header_with_an_unknown_value_is_a_json_400() {
    let mock = Mock::start().await;
    let request = mock
        .keyed(Method::POST, "/v1/sessions", b"{}")
        .header(FAULT_HEADER, "503");
    mock.send(request)
        .await
        .assert_fail(400, "1101", "x-mock-fault accepts only the value 500");
}

#[tokio::test]
async fn delay_header_delays_the_response() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let started = Instant::now();
    let reply = mock
        .send(
            mock.signed_get(&format!("/v1/sessions/{id}/decision"), &id)
                .header(DELAY_HEADER, "300"),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn non_numeric_delay_is_a_json_400() {
    let mock = Mock::start().await;
    for value in ["soon", "-5", "1.5", ""] {
        let request = mock
            .keyed(Method::POST, "/v1/sessions", b"{}")
            .header(DELAY_HEADER, value);
        mock.send(request).await.assert_fail(
            400,
            "1101",
            "x-mock-delay-ms must be a whole number of milliseconds",
        );
    }
}
