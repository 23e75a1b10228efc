//! Authentication of every `/v1` route, and that rejected requests change nothing.

use reqwest::Method;
use veriff_conformance::mock::FAULT_HEADER;
use veriff_conformance::signing::sign;

use crate::support::{MEDIA, Mock, SUBMIT};

const MISSING_KEY: &str =
    "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.";

/// One request per `/v1` route, with the API key and signature removed.
async fn unauthenticated_requests(mock: &Mock) -> Vec<(&'static str, reqwest::RequestBuilder)> {
    let id = mock.create().await.id;
    let json = |builder: reqwest::RequestBuilder, body: &[u8]| {
        builder
            .header("content-type", "application/json")
            .body(body.to_vec())
    };
    vec![
        (
            "create",
            json(mock.bare(Method::POST, "/v1/sessions"), b"{}"),
        ),
        (
            "media",
            json(
                mock.bare(Method::POST, &format!("/v1/sessions/{id}/media")),
                MEDIA,
            ),
        ),
        (
            "submit",
            json(
                mock.bare(Method::PATCH, &format!("/v1/sessions/{id}")),
                SUBMIT,
            ),
        ),
        (
            "decision",
            mock.bare(Method::GET, &format!("/v1/sessions/{id}/decision")),
        ),
    ]
}

#[tokio::test]
async fn missing_api_key_is_401_code_1101_on_every_route() {
    let mock = Mock::start().await;
    for (route, request) in unauthenticated_requests(&mock).await {
        let reply = mock.send(request).await;
        assert_eq!(reply.status, 401, "{route}");
        reply.assert_fail(401, "1101", MISSING_KEY);
    }
}

#[tokio::test]
async fn wrong_api_key_is_401_integration_not_found_on_every_route() {
    let mock = Mock::start().await;
    for (route, request) in unauthenticated_requests(&mock).await {
        let reply = mock
            .send(request.header("x-auth-client", "not-the-key"))
            .await;
        assert_eq!(reply.status, 401, "{route}");
        reply.assert_fail(401, "1803", "Integration not found");
    }
}

#[tokio::test]
async fn create_needs_no_signature() {
    let mock = Mock::start().await;
    let reply = mock
        .send(
            mock.keyed(Method::POST, "/v1/sessions", br#"{"verification":{}}"#)
                .header("x-hmac-signature", "junk"),
        )
        .await;
    assert_eq!(reply.status, 201);
}

#[tokio::test]
async fn missing_non_hex_or_mismatched_signature_is_401_code_1812() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let submit_path = format!("/v1/sessions/{id}");
    let media_path = format!("/v1/sessions/{id}/media");
    let decision_path = format!("/v1/sessions/{id}/decision");
    let wrong_body_sig = sign(mock.secret(), br#"{"verification":{"status":"approved"}}"#);
    let wrong_secret_sig = sign("another-secret", SUBMIT);
    let signatures: [Option<&str>; 4] = [
        None,
        Some("not hex at all"),
        Some(&wrong_body_sig),
        Some(&wrong_secret_sig),
    ];
    for signature in signatures {
        let requests = [
            mock.keyed(Method::PATCH, &submit_path, SUBMIT),
            mock.keyed(Method::POST, &media_path, MEDIA),
            mock.bare(Method::GET, &decision_path)
                .header("x-auth-client", mock.key()),
        ];
        for request in requests {
            let request = match signature {
                Some(value) => request.header("x-hmac-signature", value),
                None => request,
            };
            mock.send(request)
                .await
                .assert_fail(401, "1812", "Invalid HMAC signature");
        }
    }
    // None of that submitted the session.
    assert_eq!(mock.submit(&id).await.status, 200);
}

#[tokio::test]
async fn get_routes_are_signed_over_the_session_id_not_the_path() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let path = format!("/v1/sessions/{id}/decision");
    mock.send(mock.signed_get(&path, &path)).await.assert_fail(
        401,
        "1812",
        "Invalid HMAC signature",
    );
    assert_eq!(mock.send(mock.signed_get(&path, &id)).await.status, 200);
}

#[tokio::test]
async fn uppercase_signature_hex_is_accepted() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let request = mock
        .keyed(Method::PATCH, &format!("/v1/sessions/{id}"), SUBMIT)
        .header(
            "x-hmac-signature",
            sign(mock.secret(), SUBMIT).to_uppercase(),
        );
    assert_eq!(mock.send(request).await.status, 200);
}

#[tokio::test]
async fn authentication_is_checked_before_the_session_lookup() {
    let mock = Mock::start().await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let request = mock
        .keyed(Method::PATCH, &format!("/v1/sessions/{unknown}"), SUBMIT)
        .header("x-hmac-signature", "00");
    mock.send(request)
        .await
        .assert_fail(401, "1812", "Invalid HMAC signature");
    let request = mock
        .bare(Method::PATCH, &format!("/v1/sessions/{unknown}"))
        .header("x-auth-client", "wrong");
    mock.send(request)
        .await
        .assert_fail(401, "1803", "Integration not found");
}

#[tokio::test]
async fn rejected_requests_do_not_change_state() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let path = format!("/v1/sessions/{}", created.id);
    let rejected = [
        (
            400,
            mock.signed(
                Method::PATCH,
                &path,
                br#"{"verification":{"status":"approved"}}"#,
            ),
        ),
        (
            500,
            mock.signed(Method::PATCH, &path, SUBMIT)
                .header(FAULT_HEADER, "500"),
        ),
        (
            415,
            mock.bare(Method::PATCH, &path)
                .header("x-auth-client", mock.key())
                .header("x-hmac-signature", sign(mock.secret(), SUBMIT))
                .header("content-type", "text/plain")
                .body(SUBMIT.to_vec()),
        ),
    ];
    for (status, request) in rejected {
        assert_eq!(mock.send(request).await.status, status);
    }
    let faulted_media = mock
        .signed(Method::POST, &format!("{path}/media"), MEDIA)
        .header(FAULT_HEADER, "500");
    assert_eq!(mock.send(faulted_media).await.status, 500);
    let reply = mock.submit(&created.id).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["verification"]["status"], "submitted");
}
