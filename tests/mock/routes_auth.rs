//! Authentication of every signed GET and DELETE route: each is signed over
//! the id in its path (session, attempt or media id), and refuses a missing
//! key, a wrong key, a missing or wrong signature, and a signature over
//! another id; the legacy `X-SIGNATURE` scheme works on every route.

use reqwest::Method;
use veriff_conformance::signing::sign;

use crate::support::{JPEG_URI, Mock, legacy_signature};

const MISSING_KEY: &str =
    "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.";

/// A signed route: method, path, the id it signs, and a plausible wrong id
/// (the session id where another id is due).
struct Route {
    method: Method,
    path: String,
    id: String,
    wrong_id: String,
}

/// A submitted session with one attempt and one medium, and every signed
/// GET/DELETE route on it.
async fn routes(mock: &Mock) -> Vec<Route> {
    let session = mock.create().await.id;
    let media = mock.upload_ok(&session, "face", JPEG_URI).await;
    mock.submit(&session).await;
    let attempt = mock.attempts(&session).await.json()["verifications"][0]["id"]
        .as_str()
        .expect("attempt")
        .to_owned();
    let other = mock.create().await.id;
    let on_session = |method: Method, suffix: &str| Route {
        method,
        path: format!("/v1/sessions/{session}{suffix}"),
        id: session.clone(),
        wrong_id: other.clone(),
    };
    vec![
        on_session(Method::GET, "/media"),
        on_session(Method::GET, "/attempts"),
        on_session(Method::GET, "/decision"),
        on_session(Method::GET, "/person"),
        on_session(Method::GET, "/watchlist-screening"),
        // Not deletable (submitted), so a passing DELETE leaves it in place.
        on_session(Method::DELETE, ""),
        Route {
            method: Method::GET,
            path: format!("/v1/attempts/{attempt}/media"),
            id: attempt.clone(),
            wrong_id: session.clone(),
        },
        Route {
            method: Method::GET,
            path: format!("/v1/media/{media}"),
            id: media.clone(),
            wrong_id: session.clone(),
        },
    ]
}

fn request(mock: &Mock, route: &Route) -> reqwest::RequestBuilder {
    mock.bare(route.method.clone(), &route.path)
}

#[tokio::test]
async fn every_signed_route_is_signed_over_its_own_id() {
    let mock = Mock::start().await;
    for route in routes(&mock).await {
        let name = format!("{} {}", route.method, route.path);
        let good = mock
            .send(
                request(&mock, &route)
                    .header("x-auth-client", mock.key())
                    .header("x-hmac-signature", sign(mock.secret(), route.id.as_bytes())),
            )
            .await;
        let expected = if route.method == Method::DELETE {
            400
        } else {
            200
        };
        assert_eq!(good.status, expected, "{name}: {}", good.text());
        if expected == 200 {
            mock.assert_signed_bytes(&good);
        }

        let cases = [
            (None, None, 401, "1101", MISSING_KEY),
            (
                Some("not-the-key"),
                Some(sign(mock.secret(), route.id.as_bytes())),
                401,
                "1803",
                "Integration not found",
            ),
            (
                Some(mock.key()),
                None,
                401,
                "1812",
                "Invalid HMAC signature",
            ),
            (
                Some(mock.key()),
                Some("zz".to_owned()),
                401,
                "1812",
                "Invalid HMAC signature",
            ),
            (
                Some(mock.key()),
                Some(sign("another-secret", route.id.as_bytes())),
                401,
                "1812",
                "Invalid HMAC signature",
            ),
            (
                Some(mock.key()),
                Some(sign(mock.secret(), route.wrong_id.as_bytes())),
                401,
                "1812",
                "Invalid HMAC signature",
            ),
            (
                Some(mock.key()),
                Some(sign(mock.secret(), route.path.as_bytes())),
                401,
                "1812",
                "Invalid HMAC signature",
            ),
        ];
        for (key, signature, status, code, message) in cases {
            let mut builder = request(&mock, &route);
            if let Some(key) = key {
                builder = builder.header("x-auth-client", key);
            }
            if let Some(signature) = signature {
                builder = builder.header("x-hmac-signature", signature);
            }
            let reply = mock.send(builder).await;
            assert_eq!(reply.status, status, "{name}: {}", reply.text());
            reply.assert_fail(status, code, message);
        }
    }
}

#[tokio::test]
async fn the_legacy_sha256_signature_works_on_every_route_and_is_answered_in_kind() {
    let mock = Mock::start().await;
    for route in routes(&mock).await {
        let name = format!("{} {}", route.method, route.path);
        let reply = mock
            .send(
                request(&mock, &route)
                    .header("x-auth-client", mock.key())
                    .header(
                        "x-signature",
                        legacy_signature(route.id.as_bytes(), mock.secret()),
                    ),
            )
            .await;
        if route.method == Method::DELETE {
            assert_eq!(reply.status, 400, "{name}");
            continue;
        }
        assert_eq!(reply.status, 200, "{name}: {}", reply.text());
        mock.assert_signed_bytes(&reply);
        assert_eq!(
            reply.header("x-signature"),
            Some(legacy_signature(&reply.body, mock.secret()).as_str()),
            "{name}"
        );
        let wrong = mock
            .send(
                request(&mock, &route)
                    .header("x-auth-client", mock.key())
                    .header(
                        "x-signature",
                        legacy_signature(route.wrong_id.as_bytes(), mock.secret()),
                    ),
            )
            .await;
        wrong.assert_fail(401, "1813", "Invalid SHA256 signature");
    }
}

#[tokio::test]
async fn unknown_ids_are_404_once_authenticated() {
    let mock = Mock::start().await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let paths = [
        format!("/v1/sessions/{unknown}/media"),
        format!("/v1/sessions/{unknown}/attempts"),
        format!("/v1/sessions/{unknown}/decision"),
        format!("/v1/sessions/{unknown}/person"),
        format!("/v1/sessions/{unknown}/watchlist-screening"),
        format!("/v1/attempts/{unknown}/media"),
        format!("/v1/media/{unknown}"),
    ];
    for path in paths {
        mock.get_signed(&path, &unknown)
            .await
            .assert_fail(404, "1101", "Resource not found");
        // Authentication comes first: a wrong signature on an unknown id is 401.
        mock.get_signed(&path, "other")
            .await
            .assert_fail(401, "1812", "Invalid HMAC signature");
    }
    mock.delete(&unknown)
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn malformed_ids_never_crash() {
    let mock = Mock::start().await;
    let long = "a".repeat(10 * 1024);
    // (path segment, the id a GET signs: the percent-decoded segment, or the
    // raw segment when it does not decode to UTF-8)
    let ids = [
        ("not-a-uuid", "not-a-uuid"),
        (long.as_str(), long.as_str()),
        ("%2e%2e%2fetc", "../etc"),
        ("%FF%FE", "%FF%FE"),
    ];
    for (segment, id) in ids {
        for suffix in [
            "/media",
            "/attempts",
            "/decision",
            "/person",
            "/watchlist-screening",
        ] {
            mock.get_signed(&format!("/v1/sessions/{segment}{suffix}"), id)
                .await
                .assert_fail(404, "1101", "Resource not found");
        }
        mock.get_signed(&format!("/v1/attempts/{segment}/media"), id)
            .await
            .assert_fail(404, "1101", "Resource not found");
        mock.get_signed(&format!("/v1/media/{segment}"), id)
            .await
            .assert_fail(400, "1101", "Validation failed");
        let delete = mock
            .bare(Method::DELETE, &format!("/v1/sessions/{segment}"))
            .header("x-auth-client", mock.key())
            .header("x-hmac-signature", sign(mock.secret(), id.as_bytes()));
        mock.send(delete)
            .await
            .assert_fail(404, "1101", "Resource not found");
    }
}
