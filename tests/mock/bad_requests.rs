//! Malformed and unexpected requests: every one gets a JSON error, none panics.

use reqwest::Method;
use veriff_conformance::mock::MockConfig;
use veriff_conformance::signing::sign;

use crate::support::{MEDIA, Mock, SUBMIT, parse_reply};

#[tokio::test]
async fn malformed_json_is_a_json_400_on_every_body_route() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    for body in [&b"{not json"[..], b"", b"\xff\xfe"] {
        mock.send(mock.keyed(Method::POST, "/v1/sessions", body))
            .await
            .assert_fail(400, "1101", "Request body is not valid JSON");
        mock.send(mock.signed(Method::POST, &format!("/v1/sessions/{id}/media"), body))
            .await
            .assert_fail(400, "1101", "Request body is not valid JSON");
        mock.send(mock.signed(Method::PATCH, &format!("/v1/sessions/{id}"), body))
            .await
            .assert_fail(400, "1101", "Validation failed");
    }
}

#[tokio::test]
async fn submit_bodies_without_the_submitted_status_fail_validation() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let path = format!("/v1/sessions/{id}");
    let bodies: [&[u8]; 7] = [
        b"{}",
        b"[]",
        br#"{"verification":{}}"#,
        br#"{"verification":"submitted"}"#,
        br#"{"verification":{"status":"approved"}}"#,
        br#"{"verification":{"status":"SUBMITTED"}}"#,
        br#"{"status":"submitted"}"#,
    ];
    for body in bodies {
        mock.send(mock.signed(Method::PATCH, &path, body))
            .await
            .assert_fail(400, "1101", "Validation failed");
    }
    // An empty body sent without any content type is also just invalid.
    let empty = mock
        .bare(Method::PATCH, &path)
        .header("x-auth-client", mock.key())
        .header("x-hmac-signature", sign(mock.secret(), b""));
    mock.send(empty)
        .await
        .assert_fail(400, "1101", "Validation failed");
    assert_eq!(mock.submit(&id).await.status, 200);
}

#[tokio::test]
async fn wrong_content_type_is_a_json_415() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let cases = [
        (Method::POST, "/v1/sessions".to_owned(), &b"{}"[..]),
        (Method::POST, format!("/v1/sessions/{id}/media"), MEDIA),
        (Method::PATCH, format!("/v1/sessions/{id}"), SUBMIT),
    ];
    for (method, path, body) in cases {
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let mut request = mock
                .bare(method.clone(), &path)
                .header("x-auth-client", mock.key())
                .header("x-hmac-signature", sign(mock.secret(), body))
                .body(body.to_vec());
            if let Some(value) = content_type {
                request = request.header("content-type", value);
            }
            mock.send(request).await.assert_fail(
                415,
                "1101",
                "Content-Type must be application/json",
            );
        }
    }
    // Parameters after the media type are fine.
    let charset = mock
        .bare(Method::PATCH, &format!("/v1/sessions/{id}"))
        .header("x-auth-client", mock.key())
        .header("x-hmac-signature", sign(mock.secret(), SUBMIT))
        .header("content-type", "application/json; charset=utf-8")
        .body(SUBMIT.to_vec());
    assert_eq!(mock.send(charset).await.status, 200);
}

#[tokio::test]
async fn body_over_the_limit_is_a_json_413() {
    let config = MockConfig {
        body_limit: 1024,
        ..MockConfig::generated()
    };
    let mock = Mock::start_with(config).await;
    let id = mock.create().await.id;
    let big = format!(
        r#"{{"verification":{{"vendorData":"{}"}}}}"#,
        "a".repeat(2048)
    );
    mock.send(mock.keyed(Method::POST, "/v1/sessions", big.as_bytes()))
        .await
        .assert_fail(413, "1101", "Request body is too large");
    mock.send(mock.signed(
        Method::POST,
        &format!("/v1/sessions/{id}/media"),
        big.as_bytes(),
    ))
    .await
    .assert_fail(413, "1101", "Request body is too large");
    mock.send(mock.signed(Method::PATCH, &format!("/v1/sessions/{id}"), big.as_bytes()))
        .await
        .assert_fail(413, "1101", "Request body is too large");
    assert_eq!(mock.submit(&id).await.status, 200);
}

#[tokio::test]
async fn unknown_paths_are_a_json_404_and_wrong_methods_a_json_405() {
    let mock = Mock::start().await;
    for path in ["/", "/v2/sessions", "/v1/sessions/x/y/z", "/v1/session"] {
        mock.send(mock.bare(Method::GET, path)).await.assert_fail(
            404,
            "1101",
            "Resource not found",
        );
    }
    let id = mock.create().await.id;
    let cases = [
        (Method::GET, "/v1/sessions".to_owned()),
        (Method::PUT, format!("/v1/sessions/{id}")),
        (Method::GET, format!("/v1/sessions/{id}")),
        (Method::POST, format!("/v1/media/{id}")),
        (Method::DELETE, format!("/v1/attempts/{id}/media")),
        (Method::PATCH, format!("/v1/sessions/{id}/attempts")),
        (Method::POST, format!("/v1/sessions/{id}/person")),
        (
            Method::PUT,
            format!("/v1/sessions/{id}/watchlist-screening"),
        ),
        (Method::PUT, format!("/v1/sessions/{id}/media")),
        (Method::POST, format!("/v1/sessions/{id}/decision")),
        (Method::POST, "/v/some-token".to_owned()),
    ];
    for (method, path) in cases {
        mock.send(mock.keyed(method, &path, SUBMIT))
            .await
            .assert_fail(405, "1101", "Method not allowed");
    }
}

#[tokio::test]
async fn absurd_session_ids_are_404_never_a_crash() {
    let mock = Mock::start().await;
    let long = "a".repeat(10 * 1024);
    // (path segment, the id a GET signs: the percent-decoded segment, or the
    // raw segment when it does not decode to UTF-8)
    let ids = [
        ("not-a-uuid", "not-a-uuid"),
        (long.as_str(), long.as_str()),
        ("", ""),
        ("%2e%2e%2fetc", "../etc"),
        ("%FF%FE", "%FF%FE"),
        ("..", ".."),
    ];
    for (segment, id) in ids {
        let patch = mock.signed(Method::PATCH, &format!("/v1/sessions/{segment}"), SUBMIT);
        let media = mock.signed(
            Method::POST,
            &format!("/v1/sessions/{segment}/media"),
            MEDIA,
        );
        let decision = mock.signed_get(&format!("/v1/sessions/{segment}/decision"), id);
        for request in [patch, media, decision] {
            mock.send(request)
                .await
                .assert_fail(404, "1101", "Resource not found");
        }
        mock.open(segment)
            .await
            .assert_fail(404, "1101", "Resource not found");
    }
    // An uppercase form of a real id is not that id.
    let created = mock.create().await;
    mock.submit(&created.id.to_uppercase())
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn create_rejects_bad_vendor_data_and_non_object_bodies() {
    let mock = Mock::start().await;
    let too_long = format!(
        r#"{{"verification":{{"vendorData":"{}"}}}}"#,
        "a".repeat(1001)
    );
    mock.send(mock.keyed(Method::POST, "/v1/sessions", too_long.as_bytes()))
        .await
        .assert_fail(
            400,
            "1500",
            "vendorData must be at most 1,000 characters long",
        );
    for body in [
        &br#"{"verification":{"vendorData":12}}"#[..],
        br#"{"verification":{"vendorData":{"a":1}}}"#,
    ] {
        mock.send(mock.keyed(Method::POST, "/v1/sessions", body))
            .await
            .assert_fail(400, "1501", "vendorData must be a string");
    }
    for body in [&b"{}"[..], br#"{"verification":null}"#] {
        mock.send(mock.keyed(Method::POST, "/v1/sessions", body))
            .await
            .assert_fail(
                400,
                "1102",
                "Mandatory parameters are missing from the request.",
            );
    }
    mock.send(mock.keyed(
        Method::POST,
        "/v1/sessions",
        br#"{"verification":{"callback":"http://example.com"}}"#,
    ))
    .await
    .assert_fail(400, "1302", "Only HTTPS return URLs are allowed");
    for body in [&b"[]"[..], b"\"x\"", b"null", br#"{"verification":[]}"#] {
        mock.send(mock.keyed(Method::POST, "/v1/sessions", body))
            .await
            .assert_fail(400, "1104", "Invalid parameters");
    }
}

#[tokio::test]
async fn media_without_mandatory_fields_is_400_and_changes_nothing() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let path = format!("/v1/sessions/{id}/media");
    let cases: [(&[u8], &str, &str); 11] = [
        (b"{}", "1403", "Image property is missing"),
        (br#"{"image":null}"#, "1403", "Image property is missing"),
        (
            br#"{"image":{"content":"data:image/jpeg;base64,AA"}}"#,
            "1403",
            "Image property is missing",
        ),
        (
            br#"{"image":{"context":"face"}}"#,
            "1400",
            "Image data not found",
        ),
        (
            br#"{"image":{"context":"face","content":""}}"#,
            "1400",
            "Image data not found",
        ),
        (
            br#"{"image":{"context":"","content":"x"}}"#,
            "1402",
            "Image context is not supported",
        ),
        (
            br#"{"image":{"context":"selfie","content":"/9j/4AAQ"}}"#,
            "1402",
            "Image context is not supported",
        ),
        (
            br#"{"image":{"context":"face","content":7}}"#,
            "1401",
            "Image is not valid base64",
        ),
        (
            br#"{"image":{"context":"face","content":"data:image/jpeg;base64,%%%"}}"#,
            "1401",
            "Image is not valid base64",
        ),
        (br#"{"image":"face"}"#, "1104", "Invalid parameters"),
        (
            br#"{"image":{"context":"face","content":"/9j/4AAQ","timestamp":5}}"#,
            "1104",
            "Invalid parameters",
        ),
    ];
    for (body, code, message) in cases {
        mock.send(mock.signed(Method::POST, &path, body))
            .await
            .assert_fail(400, code, message);
    }
    // Nothing was stored, and the session can still be submitted.
    let listed = mock.send(mock.signed_get(&path, &id)).await.json();
    assert_eq!(listed["images"], serde_json::json!([]));
    assert_eq!(mock.submit(&id).await.status, 200);
}

/// A GET request head for `target`, with `extra` header lines, closing after.
fn get_head(target: &str, extra: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nhost: mock\r\n{extra}connection: close\r\n\r\n").into_bytes()
}

#[tokio::test]
async fn session_ids_over_hypers_uri_limit_are_a_json_414() {
    let mock = Mock::start().await;
    // hyper refuses request targets over 65,534 bytes before any handler runs.
    let huge = "a".repeat(100 * 1024);
    let signed = format!(
        "x-auth-client: {}\r\nx-hmac-signature: {}\r\n",
        mock.key(),
        sign(mock.secret(), huge.as_bytes())
    );
    for (target, extra) in [
        (format!("/v1/sessions/{huge}/decision"), signed.as_str()),
        (format!("/v/{huge}"), ""),
    ] {
        let raw = mock.raw(&get_head(&target, extra)).await;
        let (reply, rest) = parse_reply(&raw, false);
        reply.assert_fail(414, "1101", "Request URI is too long");
        assert_eq!(reply.header("connection"), Some("close"));
        assert!(rest.is_empty());
    }
    // Just under the limit, the id still reaches the routes.
    let long = "a".repeat(60 * 1024);
    mock.decision(&long)
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn too_many_header_fields_are_a_json_431() {
    let mock = Mock::start().await;
    let fields: String = (0..101).map(|i| format!("x-field-{i}: v\r\n")).collect();
    let raw = mock.raw(&get_head("/v/token", &fields)).await;
    let (reply, _) = parse_reply(&raw, false);
    reply.assert_fail(431, "1101", "Request header fields are too large");
}

#[tokio::test]
async fn malformed_http_is_a_json_400() {
    let mock = Mock::start().await;
    let requests: [&[u8]; 5] = [
        b"GARBAGE\r\n\r\n",
        b"GET /v/token HTTP/9.9\r\n\r\n",
        b"GET /v/token HTTP/1.1\r\nno colon here\r\n\r\n",
        b"G\x01T /v/token HTTP/1.1\r\n\r\n",
        b"POST /v1/sessions HTTP/1.1\r\nhost: mock\r\ncontent-length: ten\r\n\r\n",
    ];
    for request in requests {
        let raw = mock.raw(request).await;
        let (reply, rest) = parse_reply(&raw, false);
        reply.assert_fail(400, "1101", "Malformed HTTP request");
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&raw));
    }
}

#[tokio::test]
async fn a_refused_head_after_served_requests_on_one_connection_is_json_too() {
    let mock = Mock::start().await;
    // Served responses (with a body, and a HEAD reply without one) pass
    // unchanged; the refused head after them gets its JSON 400.
    let mut request = b"GET /v/no-such-token HTTP/1.1\r\nhost: mock\r\n\r\n".to_vec();
    request.extend_from_slice(b"HEAD /v/no-such-token HTTP/1.1\r\nhost: mock\r\n\r\n");
    request.extend_from_slice(b"GET /v/no-such-token HTTP/1.1\r\nhost: mock\r\n\r\n");
    request.extend_from_slice(b"NOT HTTP\r\n\r\n");
    let raw = mock.raw(&request).await;
    let (first, rest) = parse_reply(&raw, false);
    first.assert_fail(404, "1101", "Resource not found");
    let (head, rest) = parse_reply(rest, true);
    assert_eq!(head.status, 404);
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert_eq!(head.header("content-length"), Some("62"));
    let (third, rest) = parse_reply(rest, false);
    third.assert_fail(404, "1101", "Resource not found");
    let (refused, rest) = parse_reply(rest, false);
    refused.assert_fail(400, "1101", "Malformed HTTP request");
    assert!(rest.is_empty());
}
