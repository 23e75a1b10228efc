//! Media over HTTP: upload (data URI and bare base64), the session and
//! attempt lists, download of the raw bytes, bad content, size limits, the
//! media caps, and concurrent uploads and deletes.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::json;
use tokio::sync::Barrier;
use veriff_conformance::mock::MockConfig;
use veriff_conformance::signing::verify;

use crate::support::{JPEG_BYTES, JPEG_URI, Mock, Reply};

const PNG_BYTES: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn uploaded_bytes_come_back_with_their_content_type_signed_over_the_raw_bytes() {
    let mock = Mock::start().await;
    let session = mock.create().await.id;
    let png = format!("data:image/png;base64,{}", STANDARD.encode(PNG_BYTES));
    let front = mock.upload_ok(&session, "document-front", JPEG_URI).await;
    let face = mock.upload_ok(&session, "face", &png).await;

    for (media_id, bytes, content_type) in [
        (&front, JPEG_BYTES, "image/jpeg"),
        (&face, PNG_BYTES, "image/png"),
    ] {
        let reply = mock.download(media_id).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.body, bytes);
        assert_eq!(reply.header("content-type"), Some(content_type));
        mock.assert_signed_bytes(&reply);
        // The documented vrf-* twins carry the same values (docs/veriff-api.md, section 4.6).
        assert_eq!(reply.header("vrf-auth-client"), Some(mock.key()));
        assert_eq!(
            reply.header("vrf-hmac-signature"),
            reply.header("x-hmac-signature")
        );
        let signature = reply.header("vrf-hmac-signature").expect("vrf signature");
        assert!(verify(mock.secret(), bytes, signature));
    }
}

#[tokio::test]
async fn bare_base64_without_a_data_uri_prefix_is_accepted_and_sniffed() {
    let mock = Mock::start().await;
    let session = mock.create().await.id;
    let reply = mock
        .upload_content(&session, "face", &STANDARD.encode(JPEG_BYTES))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let image = &reply.json()["image"];
    assert_eq!(image["mimetype"], "image/jpeg");
    assert_eq!(image["size"], JPEG_BYTES.len());
    let media_id = image["id"].as_str().expect("id");
    let download = mock.download(media_id).await;
    assert_eq!(download.body, JPEG_BYTES);
    assert_eq!(download.header("content-type"), Some("image/jpeg"));
}

#[tokio::test]
async fn the_session_list_has_the_documented_item_fields_and_a_null_timestamp() {
    let mock = Mock::start().await;
    let session = mock.create().await.id;
    let body = json!({"image": {
        "context": "document-back", "content": JPEG_URI, "timestamp": "2024-01-01T00:00:00Z"
    }});
    let uploaded = mock
        .send(mock.signed(
            Method::POST,
            &format!("/v1/sessions/{session}/media"),
            body.to_string().as_bytes(),
        ))
        .await;
    assert_eq!(uploaded.status, 201);
    let media_id = uploaded.json()["image"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let reply = mock.session_media(&session).await;
    assert_eq!(reply.status, 200);
    mock.assert_signed(&reply);
    let base = mock.server.base_url();
    assert_eq!(
        reply.json(),
        json!({
            "status": "success",
            "images": [{
                "id": media_id,
                "name": "document-back",
                "context": "document-back",
                "timestamp": null,
                "size": JPEG_BYTES.len(),
                "mimetype": "image/jpeg",
                "url": format!("{base}/v1/media/{media_id}"),
                "sessionId": session,
            }],
            "videos": [],
            "nfcDocuments": [],
        })
    );
    // The listed url downloads the medium.
    let url = reply.json()["images"][0]["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let path = url.trim_start_matches(&base).to_owned();
    assert_eq!(mock.get_signed(&path, &media_id).await.body, JPEG_BYTES);
}

#[tokio::test]
async fn a_fresh_session_lists_no_media_and_no_attempts() {
    let mock = Mock::start().await;
    let session = mock.create().await.id;
    assert_eq!(
        mock.session_media(&session).await.json(),
        json!({"status": "success", "images": [], "videos": [], "nfcDocuments": []})
    );
    assert_eq!(
        mock.attempts(&session).await.json(),
        json!({"status": "success", "verifications": []})
    );
}

#[tokio::test]
async fn attempt_media_lists_one_attempts_media_signed_by_the_attempt_id() {
    let mock = Mock::start().await;
    let created = mock.create_named("Resubmit").await;
    let first = mock.upload_ok(&created.id, "face", JPEG_URI).await;
    assert_eq!(mock.submit(&created.id).await.status, 200);
    let second = mock.upload_ok(&created.id, "face", JPEG_URI).await;

    let attempts = mock.attempts(&created.id).await.json();
    let ids: Vec<String> = attempts["verifications"]
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    let (newest, oldest) = (&ids[0], &ids[1]);

    let listed = |reply: Reply| -> Vec<String> {
        reply.json()["images"]
            .as_array()
            .expect("images")
            .iter()
            .map(|m| m["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let old = mock.attempt_media(oldest).await;
    assert_eq!(old.status, 200);
    mock.assert_signed(&old);
    assert_eq!(old.json()["videos"], json!([]));
    assert_eq!(listed(old), [first.as_str()]);
    assert_eq!(listed(mock.attempt_media(newest).await), [second.as_str()]);
    // The session list shows the most recent attempt only (docs/veriff-api.md, section 4.5).
    assert_eq!(listed(mock.session_media(&created.id).await), [second]);
    // Both media still download.
    assert_eq!(mock.download(&first).await.status, 200);
}

#[tokio::test]
async fn bad_base64_is_400_code_1401_and_stores_nothing() {
    let mock = Mock::start().await;
    let session = mock.create().await.id;
    for content in [
        "data:image/jpeg;base64,not*base64",
        "data:image/jpeg,/9j/4AAQ",
        "####",
        "/9j/4AAQ=x",
    ] {
        mock.upload_content(&session, "face", content)
            .await
            .assert_fail(400, "1401", "Image is not valid base64");
    }
    mock.upload_content(&session, "face", "data:image/jpeg;base64,")
        .await
        .assert_fail(400, "1400", "Image data not found");
    assert_eq!(
        mock.session_media(&session).await.json()["images"],
        json!([])
    );
}

#[tokio::test]
async fn a_25_mb_medium_is_over_the_documented_24_mb_and_refused() {
    let mock = Mock::start().await;
    let session = mock.create().await.id;
    // 25 MB of base64: under the 25 MiB body limit, over the documented
    // "24 MB as base64".
    let content = format!("data:image/jpeg;base64,/9j/{}", "A".repeat(25_000_000));
    mock.upload_content(&session, "face", &content)
        .await
        .assert_fail(413, "1101", "Image content is larger than 24 MB of base64");
    // A 25 MB image as base64 (33 MB) is over the body limit itself.
    let content = STANDARD.encode(vec![0xFF_u8; 25_000_000]);
    mock.upload_content(&session, "face", &content)
        .await
        .assert_fail(413, "1101", "Request body is too large");
    assert_eq!(
        mock.session_media(&session).await.json()["images"],
        json!([])
    );
    // Exactly 24 MB of base64 is fine, and comes back whole.
    let content = format!("/9j/{}", "A".repeat(24_000_000 - 4));
    let id = mock.upload_ok(&session, "face", &content).await;
    let download = mock.download(&id).await;
    assert_eq!(download.body.len(), 18_000_000);
}

#[tokio::test]
async fn media_over_the_caps_evict_the_oldest_and_one_over_the_budget_is_refused() {
    let config = MockConfig {
        max_media: 2,
        media_budget: 64,
        ..MockConfig::generated()
    };
    let mock = Mock::start_with(config).await;
    let session = mock.create().await.id;
    let first = mock.upload_ok(&session, "face", JPEG_URI).await;
    let second = mock.upload_ok(&session, "face", JPEG_URI).await;
    let third = mock.upload_ok(&session, "face", JPEG_URI).await;
    mock.download(&first)
        .await
        .assert_fail(404, "1101", "Resource not found");
    let listed = mock.session_media(&session).await.json();
    let ids: Vec<&str> = listed["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|m| m["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [second.as_str(), third.as_str()]);
    // 60 bytes: the byte budget (64) drops both older media to make room.
    let big = format!("data:image/jpeg;base64,{}", STANDARD.encode([0xFF_u8; 60]));
    let fourth = mock.upload_ok(&session, "face", &big).await;
    for gone in [&second, &third] {
        assert_eq!(mock.download(gone).await.status, 404);
    }
    assert_eq!(mock.download(&fourth).await.body, vec![0xFF; 60]);
    // A medium larger than the whole budget is refused, and evicts nothing.
    let too_big = format!("data:image/jpeg;base64,{}", STANDARD.encode([0_u8; 65]));
    mock.upload_content(&session, "face", &too_big)
        .await
        .assert_fail(413, "1101", "Image is larger than the mock's media budget");
    assert_eq!(mock.download(&fourth).await.status, 200);
}

#[tokio::test]
async fn unknown_and_malformed_media_ids() {
    let mock = Mock::start().await;
    let unknown = uuid::Uuid::new_v4().to_string();
    mock.download(&unknown)
        .await
        .assert_fail(404, "1101", "Resource not found");
    // Not a UUID: the media page's documented 400.
    for malformed in ["not-a-uuid", "1234", "%FF%FE"] {
        mock.download(malformed)
            .await
            .assert_fail(400, "1101", "Validation failed");
    }
    mock.attempt_media(&unknown)
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.attempt_media("not-a-uuid")
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.session_media(&unknown)
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn media_after_submit_conflicts_and_after_a_decision_too() {
    let mock = Mock::start().await;
    let created = mock.create_named("Approve").await;
    mock.upload_ok(&created.id, "face", JPEG_URI).await;
    assert_eq!(mock.submit(&created.id).await.status, 200);
    mock.upload_content(&created.id, "face", JPEG_URI)
        .await
        .assert_fail(409, "1101", "Conflict");
}

/// Uploads to one session race each other and a delete of it, on a
/// two-thread runtime. Whatever the order, every upload gets 201 or 404, and
/// afterwards the session and every medium that was stored are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_and_deletes_leave_nothing_behind() {
    let mock = Arc::new(Mock::start().await);
    for round in 0..20 {
        let session = mock.create().await.id;
        let barrier = Arc::new(Barrier::new(5));
        let uploads: Vec<_> = (0..4)
            .map(|_| {
                let (mock, barrier, session) =
                    (Arc::clone(&mock), Arc::clone(&barrier), session.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    mock.upload_content(&session, "face", JPEG_URI).await
                })
            })
            .collect();
        let delete = {
            let (mock, barrier, session) =
                (Arc::clone(&mock), Arc::clone(&barrier), session.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                mock.delete(&session).await
            })
        };
        let mut stored = Vec::new();
        for upload in uploads {
            let reply = upload.await.expect("upload task");
            match reply.status {
                201 => stored.push(reply.json()["image"]["id"].as_str().expect("id").to_owned()),
                404 => reply.assert_fail(404, "1101", "Resource not found"),
                other => panic!("round {round}: upload got {other}: {}", reply.text()),
            }
        }
        assert_eq!(
            delete.await.expect("delete task").status,
            200,
            "round {round}"
        );
        for media_id in &stored {
            assert_eq!(mock.download(media_id).await.status, 404, "round {round}");
        }
        assert_eq!(mock.session_media(&session).await.status, 404);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_to_one_session_are_all_kept() {
    let mock = Arc::new(Mock::start().await);
    let session = mock.create().await.id;
    let uploads: Vec<_> = (0..16)
        .map(|_| {
            let (mock, session) = (Arc::clone(&mock), session.clone());
            tokio::spawn(async move { mock.upload_ok(&session, "face", JPEG_URI).await })
        })
        .collect();
    let mut ids = Vec::new();
    for upload in uploads {
        ids.push(upload.await.expect("upload task"));
    }
    let listed = mock.session_media(&session).await.json();
    let mut listed: Vec<String> = listed["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    listed.sort();
    assert_eq!(listed, ids);
    // One attempt holds them all.
    assert_eq!(
        mock.attempts(&session).await.json()["verifications"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
