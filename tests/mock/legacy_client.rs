//! Veriff's public `js-integration-demo` (`app.js`) works against the mock
//! unchanged: the requests below are the ones it sends, byte for byte in
//! shape. It creates a session with legacy fields (`lang`, `features`,
//! `timestamp`, `additionalData`), uploads each image as bare base64 (no
//! data-URI prefix) with a `timestamp`, submits with `frontState: "done"`,
//! and lists the session's media. It signs every request with the legacy
//! `x-signature` = SHA-256(payload + secret) (GETs sign the session id).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{JPEG_BYTES, Mock, legacy_signature};

/// `app.js` `timestamp()`: `new Date().toISOString()`.
const TIMESTAMP: &str = "2024-05-19T08:30:25.597Z";

/// A request the way `app.js` sends it: `x-auth-client`, `x-signature` over
/// `JSON.stringify(payload)`, `content-type: application/json`.
fn demo_post(mock: &Mock, method: Method, path: &str, payload: &Value) -> reqwest::RequestBuilder {
    let body = payload.to_string();
    mock.bare(method, path)
        .header("x-auth-client", mock.key())
        .header(
            "x-signature",
            legacy_signature(body.as_bytes(), mock.secret()),
        )
        .header("content-type", "application/json")
        .body(body)
}

#[tokio::test]
async fn the_js_integration_demo_flow_works_unchanged() {
    let mock = Mock::start().await;

    // start()
    let payload = json!({"verification": {
        "person": {"firstName": "Tundmatu", "lastName": "Toomas", "idNumber": "38508260269"},
        "document": {"number": "B01234567", "type": "ID_CARD", "country": "EE"},
        "additionalData": {"citizenship": "EE", "placeOfResidence": "Tallinn"},
        "lang": "en",
        "features": ["selfid"],
        "timestamp": TIMESTAMP,
    }});
    let created = mock
        .send(demo_post(&mock, Method::POST, "/v1/sessions", &payload))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    // Signed create calls are answered in the same scheme (docs/veriff-api.md, section 2.2).
    assert_eq!(
        created.header("x-signature"),
        Some(legacy_signature(&created.body, mock.secret()).as_str())
    );
    let id = created.json()["verification"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // upload(): the context is the file name without extension; the content
    // is `Buffer.from(bitmap).toString('base64')`, no prefix.
    let mut uploaded = Vec::new();
    for context in ["document-back", "document-front", "face"] {
        let payload = json!({"image": {
            "context": context,
            "content": STANDARD.encode(JPEG_BYTES),
            "timestamp": TIMESTAMP,
        }});
        let reply = mock
            .send(demo_post(
                &mock,
                Method::POST,
                &format!("/v1/sessions/{id}/media"),
                &payload,
            ))
            .await;
        assert_eq!(reply.status, 201, "{context}: {}", reply.text());
        assert_eq!(
            reply.header("x-signature"),
            Some(legacy_signature(&reply.body, mock.secret()).as_str())
        );
        let image = reply.json()["image"].clone();
        assert_eq!(image["timestamp"], Value::Null);
        uploaded.push(image["id"].as_str().expect("id").to_owned());
    }

    // end()
    let payload = json!({"verification": {
        "frontState": "done", "status": "submitted", "timestamp": TIMESTAMP
    }});
    let ended = mock
        .send(demo_post(
            &mock,
            Method::PATCH,
            &format!("/v1/sessions/{id}"),
            &payload,
        ))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text());
    assert_eq!(ended.json()["verification"]["status"], "submitted");

    // getMedia(): x-signature over the session id, no content type.
    let media = mock
        .send(
            mock.bare(Method::GET, &format!("/v1/sessions/{id}/media"))
                .header("x-auth-client", mock.key())
                .header(
                    "x-signature",
                    legacy_signature(id.as_bytes(), mock.secret()),
                ),
        )
        .await;
    assert_eq!(media.status, 200, "{}", media.text());
    let media = media.json();
    let listed: Vec<&str> = media["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|image| image["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed, uploaded);
    for image in media["images"].as_array().expect("images") {
        assert_eq!(image["mimetype"], "image/jpeg");
        assert_eq!(image["size"], JPEG_BYTES.len());
        assert_eq!(image["timestamp"], Value::Null);
    }
}

#[tokio::test]
async fn a_wrong_legacy_body_signature_is_401_code_1814_and_changes_nothing() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let payload = json!({"verification": {"frontState": "done", "status": "submitted"}});
    let request = mock
        .bare(Method::PATCH, &format!("/v1/sessions/{id}"))
        .header("x-auth-client", mock.key())
        .header(
            "x-signature",
            legacy_signature(b"something else", mock.secret()),
        )
        .header("content-type", "application/json")
        .body(payload.to_string());
    mock.send(request)
        .await
        .assert_fail(401, "1814", "Invalid SHA256 signature");
    assert_eq!(mock.submit(&id).await.status, 200);
}
