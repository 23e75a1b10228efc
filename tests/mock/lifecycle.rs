//! The mock's session lifecycle over real HTTP: create, start, media, submit,
//! decision, and the session cap.

use std::sync::Arc;

use reqwest::Method;
use serde_json::json;
use tokio::sync::Barrier;
use veriff_conformance::mock::MockConfig;

use crate::support::Mock;

#[tokio::test]
async fn create_returns_a_signed_created_session_with_the_documented_fields() {
    let mock = Mock::start().await;
    let reply = mock
        .send(mock.keyed(Method::POST, "/v1/sessions", br#"{"verification":{}}"#))
        .await;
    assert_eq!(reply.status, 201);
    mock.assert_signed(&reply);
    let body = reply.json();
    let v = &body["verification"];
    let id = v["id"].as_str().expect("id");
    let token = v["sessionToken"].as_str().expect("sessionToken");
    let parsed = uuid::Uuid::parse_str(id).expect("id is a UUID");
    assert_eq!(parsed.get_version_num(), 4);
    assert!(!token.is_empty());
    let base = mock.server.base_url();
    assert_eq!(
        body,
        json!({
            "status": "success",
            "verification": {
                "id": id,
                "url": format!("{base}/v/{token}"),
                "vendorData": null,
                "host": base,
                "status": "created",
                "sessionToken": token,
            }
        })
    );
}

#[tokio::test]
async fn create_accepts_an_empty_verification_and_echoes_vendor_data() {
    let mock = Mock::start().await;
    assert!(
        mock.create_with(br#"{"verification":{}}"#).await.body["verification"]["vendorData"]
            .is_null()
    );
    let vendor = "é".repeat(1_000);
    let body = json!({"verification": {"vendorData": vendor, "callback": "https://example.com"}});
    let created = mock.create_with(body.to_string().as_bytes()).await;
    assert_eq!(created.body["verification"]["vendorData"], json!(vendor));
}

#[tokio::test]
async fn configured_host_is_used_in_host_and_url() {
    let config = MockConfig {
        host: Some("https://alchemy.example/".into()),
        ..MockConfig::generated()
    };
    let mock = Mock::start_with(config).await;
    let created = mock.create().await;
    let v = &created.body["verification"];
    assert_eq!(v["host"], "https://alchemy.example");
    assert_eq!(
        v["url"],
        json!(format!("https://alchemy.example/v/{}", created.token))
    );
}

#[tokio::test]
async fn submit_returns_the_documented_signed_body() {
    let mock = Mock::start().await;
    let created = mock
        .create_with(br#"{"verification":{"vendorData":"1234567890"}}"#)
        .await;
    let reply = mock.submit(&created.id).await;
    assert_eq!(reply.status, 200);
    mock.assert_signed(&reply);
    let mut expected = created.body.clone();
    expected["verification"]["status"] = json!("submitted");
    assert_eq!(reply.json(), expected);
}

#[tokio::test]
async fn double_submit_is_rejected() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    assert_eq!(mock.submit(&created.id).await.status, 200);
    mock.submit(&created.id)
        .await
        .assert_fail(400, "1101", "Session has already been submitted");
}

/// Two submits of one session race on separate tasks of a two-thread runtime,
/// released together by a barrier: every round, exactly one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submits_give_one_success_and_one_rejection() {
    let mock = Arc::new(Mock::start().await);
    for round in 0..50 {
        let id = mock.create().await.id;
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let (mock, barrier, id) = (Arc::clone(&mock), Arc::clone(&barrier), id.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    mock.submit(&id).await
                })
            })
            .collect();
        let mut replies = Vec::new();
        for racer in racers {
            replies.push(racer.await.expect("submit task"));
        }
        replies.sort_by_key(|reply| reply.status);
        let statuses: Vec<u16> = replies.iter().map(|reply| reply.status).collect();
        assert_eq!(statuses, [200, 400], "round {round}");
        assert_eq!(replies[0].json()["verification"]["status"], "submitted");
        replies[1].assert_fail(400, "1101", "Session has already been submitted");
    }
}

#[tokio::test]
async fn opening_the_session_url_starts_it_and_submit_works_from_started() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let opened = mock.open(&created.token).await;
    assert_eq!(opened.status, 200);
    assert_eq!(
        opened.json(),
        json!({"status": "success", "verification": {"id": created.id, "status": "started"}})
    );
    let reply = mock.submit(&created.id).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["verification"]["status"], "submitted");
    // Opening again leaves a submitted session submitted.
    assert_eq!(
        mock.open(&created.token).await.json()["verification"]["status"],
        "submitted"
    );
}

#[tokio::test]
async fn unknown_session_token_is_a_json_404() {
    let mock = Mock::start().await;
    mock.open("no-such-token")
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn media_is_accepted_before_submit_and_conflicts_after() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let body = br#"{"image":{"context":"face","content":"data:image/png;base64,iVBORw0KGgo=","timestamp":"2024-01-01T00:00:00Z"}}"#;
    let path = format!("/v1/sessions/{}/media", created.id);
    let reply = mock.send(mock.signed(Method::POST, &path, body)).await;
    assert_eq!(reply.status, 201);
    mock.assert_signed(&reply);
    let json = reply.json();
    let image_id = json["image"]["id"].as_str().expect("image id");
    assert!(uuid::Uuid::parse_str(image_id).is_ok());
    // The deprecated timestamp is never echoed: always null [DOC].
    let base = mock.server.base_url();
    assert_eq!(
        json,
        json!({"status": "success", "image": {
            "id": image_id,
            "name": "face",
            "context": "face",
            "timestamp": null,
            "size": 8,
            "mimetype": "image/png",
            "url": format!("{base}/v1/media/{image_id}"),
            "sessionId": created.id,
        }})
    );

    mock.open(&created.token).await;
    assert_eq!(mock.upload(&created.id).await.status, 201);
    assert_eq!(mock.submit(&created.id).await.status, 200);
    mock.upload(&created.id)
        .await
        .assert_fail(409, "1101", "Conflict");
}

#[tokio::test]
async fn decision_is_null_for_a_known_session_and_404_for_an_unknown_one() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let reply = mock.decision(&created.id).await;
    assert_eq!(reply.status, 200);
    mock.assert_signed(&reply);
    assert_eq!(reply.text(), r#"{"status":"success","verification":null}"#);
    let unknown = uuid::Uuid::new_v4().to_string();
    mock.decision(&unknown)
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn unknown_session_ids_are_404_on_submit_and_media() {
    let mock = Mock::start().await;
    let unknown = uuid::Uuid::new_v4().to_string();
    mock.submit(&unknown)
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.upload(&unknown)
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn session_cap_drops_the_oldest_session() {
    let config = MockConfig {
        max_sessions: 3,
        ..MockConfig::generated()
    };
    let mock = Mock::start_with(config).await;
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(mock.create().await);
    }
    let oldest = &sessions[0];
    mock.decision(&oldest.id)
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.open(&oldest.token)
        .await
        .assert_fail(404, "1101", "Resource not found");
    for kept in &sessions[1..] {
        assert_eq!(mock.decision(&kept.id).await.status, 200);
    }
}

#[tokio::test]
async fn submit_body_may_carry_extra_fields() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let body = br#"{"verification":{"status":"submitted","extra":1},"more":true}"#;
    let path = format!("/v1/sessions/{}", created.id);
    assert_eq!(
        mock.send(mock.signed(Method::PATCH, &path, body))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let mock = Mock::start().await;
    let url = mock.url("/v1/sessions");
    drop(mock);
    let client = crate::support::http_client();
    let mut refused = false;
    for _ in 0..50 {
        if client.get(&url).send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the mock still answers after being dropped");
}
