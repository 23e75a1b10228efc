//! Signing per endpoint, with known ids: what Veriff's rule signs for each
//! documented route (docs/veriff-api.md, section 2.3), as the server received it.

use veriff_conformance::signing::sign;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request};

use crate::support::*;

const SESSION: &str = "5e55101a-0000-4000-8000-000000000001";
const ATTEMPT: &str = "a77e3970-0000-4000-8000-000000000002";
const MEDIA: &str = "3ed1a000-0000-4000-8000-000000000003";

async fn received(yaml: &str) -> Vec<Request> {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    let (_, result) = run(&server.uri(), yaml).await;
    assert_passed(&result);
    server.received_requests().await.expect("recording is on")
}

fn signature(request: &Request) -> Option<&str> {
    header(request, "x-hmac-signature")
}

fn step(method: &str, path: &str, sign: &str) -> String {
    format!(
        "      - {{ name: \"{method} {path}\", method: {method}, path: \"{path}\", sign: {sign} }}\n"
    )
}

#[tokio::test]
async fn auto_signs_the_session_attempt_or_media_id_each_get_and_delete_route_names() {
    let routes = [
        ("GET", format!("/v1/sessions/{SESSION}/media"), SESSION),
        ("GET", format!("/v1/sessions/{SESSION}/attempts"), SESSION),
        ("GET", format!("/v1/sessions/{SESSION}/decision"), SESSION),
        ("GET", format!("/v1/sessions/{SESSION}/person"), SESSION),
        (
            "GET",
            format!("/v1/sessions/{SESSION}/watchlist-screening"),
            SESSION,
        ),
        ("DELETE", format!("/v1/sessions/{SESSION}"), SESSION),
        ("GET", format!("/v1/attempts/{ATTEMPT}/media"), ATTEMPT),
        ("GET", format!("/v1/media/{MEDIA}"), MEDIA),
    ];
    let mut yaml = String::from("scenarios:\n  - name: every route\n    steps:\n");
    for (method, path, _) in &routes {
        yaml.push_str(&step(method, path, "auto"));
    }
    let requests = received(&yaml).await;
    assert_eq!(requests.len(), routes.len());
    for (request, (method, path, id)) in requests.iter().zip(&routes) {
        assert_eq!(
            (request.method.as_str(), request.url.path()),
            (*method, path.as_str())
        );
        assert_eq!(
            signature(request),
            Some(sign(SECRET, id.as_bytes()).as_str()),
            "{method} {path} signs {id}"
        );
        assert!(request.body.is_empty());
    }
}

#[tokio::test]
async fn path_id_signs_what_auto_signs_and_session_id_cannot_sign_a_media_route() {
    let yaml = format!(
        "scenarios:\n  - name: modes\n    steps:\n{}{}{}",
        step("GET", &format!("/v1/media/{MEDIA}"), "path-id"),
        step("GET", &format!("/v1/attempts/{ATTEMPT}/media"), "path-id"),
        step("GET", &format!("/v1/media/{MEDIA}"), "wrong-secret"),
    );
    let requests = received(&yaml).await;
    assert_eq!(
        signature(&requests[0]),
        Some(sign(SECRET, MEDIA.as_bytes()).as_str())
    );
    assert_eq!(
        signature(&requests[1]),
        Some(sign(SECRET, ATTEMPT.as_bytes()).as_str())
    );
    // Another secret over the right id: verifies under neither the secret nor another id.
    let wrong = signature(&requests[2]).expect("a signature");
    assert_ne!(wrong, sign(SECRET, MEDIA.as_bytes()));
    assert_ne!(wrong, sign(SECRET, b""));

    // `session-id` on a media route: there is no session id to sign.
    let server = MockServer::start().await;
    let (_, result) = run(
        &server.uri(),
        &format!(
            "scenarios:\n  - name: m\n    vars: {{ m: {MEDIA} }}\n    steps:\n{}",
            step("GET", "/v1/media/${m}", "session-id")
        ),
    )
    .await;
    let e = run_error(&result);
    assert!(
        e.message.contains("cannot sign the session id"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn a_signature_over_the_session_id_where_the_media_id_is_due_is_expressible() {
    let yaml = format!(
        "scenarios:\n  - name: wrong id\n    vars: {{ s: {SESSION} }}\n    steps:\n{}",
        step(
            "GET",
            &format!("/v1/media/{MEDIA}"),
            "{ payload: \"${s}\" }"
        ),
    );
    let requests = received(&yaml).await;
    assert_eq!(
        signature(&requests[0]),
        Some(sign(SECRET, SESSION.as_bytes()).as_str())
    );
}
