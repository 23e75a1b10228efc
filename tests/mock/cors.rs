//! Browsers on other origins: create is open to them (Veriff's JS SDK), the
//! secret-signed routes and the mock's controls are not.

use reqwest::Method;

use crate::support::Mock;

const ORIGIN: &str = "http://localhost:5173";

#[tokio::test]
async fn the_preflight_for_create_allows_the_origin_the_post_and_the_sdks_headers() {
    let mock = Mock::start().await;
    let reply = mock
        .send(
            mock.bare(Method::OPTIONS, "/v1/sessions")
                .header("origin", ORIGIN)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "content-type,x-auth-client,x-origin,vrf-integration-id",
                ),
        )
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(reply.header("vary"), Some("origin"));
    let methods = reply
        .header("access-control-allow-methods")
        .expect("methods");
    assert!(methods.split(", ").any(|m| m == "POST"), "{methods}");
    let allowed = reply
        .header("access-control-allow-headers")
        .expect("headers")
        .to_ascii_lowercase();
    for sent in [
        "content-type",
        "x-auth-client",
        "x-origin",
        "vrf-integration-id",
    ] {
        assert!(
            allowed.split(", ").any(|h| h == sent),
            "{sent} in {allowed}"
        );
    }
    let max_age: u32 = reply
        .header("access-control-max-age")
        .expect("max age")
        .parse()
        .expect("seconds");
    assert!(max_age > 0);
}

#[tokio::test]
async fn every_create_answer_allows_the_origin_errors_included() {
    let mock = Mock::start().await;
    let created = mock
        .send(
            mock.keyed(Method::POST, "/v1/sessions", br#"{"verification":{}}"#)
                .header("origin", ORIGIN),
        )
        .await;
    let wrong_key = mock
        .send(
            mock.bare(Method::POST, "/v1/sessions")
                .header("origin", ORIGIN)
                .header("x-auth-client", "not-the-key")
                .header("content-type", "application/json")
                .body(r#"{"verification":{}}"#),
        )
        .await;
    let bad_body = mock
        .send(
            mock.keyed(Method::POST, "/v1/sessions", b"{}")
                .header("origin", ORIGIN),
        )
        .await;
    for (reply, status) in [(&created, 201), (&wrong_key, 401), (&bad_body, 400)] {
        assert_eq!(reply.status, status, "{}", reply.text());
        assert_eq!(reply.header("access-control-allow-origin"), Some(ORIGIN));
        assert_eq!(reply.header("vary"), Some("origin"));
    }
    mock.assert_signed(&created);
}

#[tokio::test]
async fn a_request_without_an_origin_gets_no_cors_header() {
    let mock = Mock::start().await;
    let reply = mock
        .send(mock.keyed(Method::POST, "/v1/sessions", br#"{"verification":{}}"#))
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_preflight_for_a_route_that_needs_the_secret_or_a_control_is_refused_without_cors_headers()
 {
    let mock = Mock::start().await;
    for (path, method) in [
        ("/v1/sessions/some-id", "PATCH"),
        ("/v1/sessions/some-id/decision", "GET"),
        ("/v1/sessions/some-id/media", "POST"),
        ("/mock/webhooks", "GET"),
        ("/mock/sessions/some-id/decision", "POST"),
    ] {
        let reply = mock
            .send(
                mock.bare(Method::OPTIONS, path)
                    .header("origin", ORIGIN)
                    .header("access-control-request-method", method),
            )
            .await;
        reply.assert_fail(
            403,
            "1101",
            "Only POST /v1/sessions answers pages of other origins: the other routes need the shared secret, which belongs on a backend, never in a browser",
        );
        assert_eq!(reply.header("access-control-allow-origin"), None, "{path}");
    }
    // An OPTIONS that is not a preflight is still an unsupported method.
    let plain = mock
        .send(mock.bare(Method::OPTIONS, "/v1/sessions/some-id/decision"))
        .await;
    plain.assert_fail(405, "1101", "Method not allowed");
}
