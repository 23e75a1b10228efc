//! `DELETE /v1/sessions/{id}` over HTTP: deletable statuses, the documented
//! bodies, and a deleted session gone from every route.

use reqwest::Method;
use veriff_conformance::mock::DECISION_HEADER;

use crate::support::{JPEG_URI, Mock, SUBMIT};

const NOT_DELETABLE: &str =
    r#"{"status":400,"code":"1305","message":"Session is not in a completed status."}"#;

#[tokio::test]
async fn deleting_returns_the_documented_signed_body() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let reply = mock.delete(&created.id).await;
    assert_eq!(reply.status, 200);
    mock.assert_signed(&reply);
    assert_eq!(
        reply.text(),
        format!(
            r#"{{"status":"success","verification":{{"id":"{}"}}}}"#,
            created.id
        )
    );
}

#[tokio::test]
async fn a_deleted_session_is_404_on_every_route_with_its_attempts_and_media() {
    let mock = Mock::start().await;
    let created = mock.create_named("Decline").await;
    let id = created.id.clone();
    let media_id = mock.upload_ok(&id, "face", JPEG_URI).await;
    mock.submit(&id).await;
    let attempt = mock.attempts(&id).await.json()["verifications"][0]["id"]
        .as_str()
        .expect("attempt")
        .to_owned();
    assert_eq!(mock.delete(&id).await.status, 200);

    let gets = [
        (format!("/v1/sessions/{id}/media"), id.clone()),
        (format!("/v1/sessions/{id}/attempts"), id.clone()),
        (format!("/v1/sessions/{id}/decision"), id.clone()),
        (format!("/v1/sessions/{id}/person"), id.clone()),
        (format!("/v1/sessions/{id}/watchlist-screening"), id.clone()),
        (format!("/v1/attempts/{attempt}/media"), attempt.clone()),
        (format!("/v1/media/{media_id}"), media_id.clone()),
    ];
    for (path, signed_id) in gets {
        mock.get_signed(&path, &signed_id)
            .await
            .assert_fail(404, "1101", "Resource not found");
    }
    mock.submit(&id)
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.upload(&id)
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.delete(&id)
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.open(&created.token)
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn submitted_and_review_sessions_are_not_deletable() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    mock.submit(&created.id).await;
    let reply = mock.delete(&created.id).await;
    assert_eq!(
        (reply.status, reply.text()),
        (400, NOT_DELETABLE.to_owned())
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));

    let review = mock
        .signed_get(
            &format!("/v1/sessions/{}/decision", created.id),
            &created.id,
        )
        .header(DECISION_HEADER, "review");
    assert_eq!(mock.send(review).await.status, 200);
    assert_eq!(mock.delete(&created.id).await.text(), NOT_DELETABLE);
    // Still there.
    assert_eq!(mock.decision(&created.id).await.status, 200);
}

#[tokio::test]
async fn created_started_decided_and_resubmission_sessions_are_deletable() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let started = mock.create().await;
    mock.open(&started.token).await;
    let mut ids = vec![created.id, started.id];
    for name in ["Approve", "Decline", "Resubmit"] {
        let session = mock.create_named(name).await;
        mock.submit(&session.id).await;
        ids.push(session.id);
    }
    for status in ["expired", "abandoned"] {
        let session = mock.create().await;
        if status == "abandoned" {
            mock.open(&session.token).await;
        }
        let forced = mock
            .signed_get(
                &format!("/v1/sessions/{}/decision", session.id),
                &session.id,
            )
            .header(DECISION_HEADER, status);
        assert_eq!(mock.send(forced).await.status, 200);
        ids.push(session.id);
    }
    for id in ids {
        assert_eq!(mock.delete(&id).await.status, 200, "{id}");
    }
}

#[tokio::test]
async fn delete_is_signed_over_the_session_id() {
    let mock = Mock::start().await;
    let id = mock.create().await.id;
    let path = format!("/v1/sessions/{id}");
    let cases = [
        mock.bare(Method::DELETE, &path),
        mock.bare(Method::DELETE, &path)
            .header("x-auth-client", mock.key()),
        mock.bare(Method::DELETE, &path)
            .header("x-auth-client", mock.key())
            .header(
                "x-hmac-signature",
                veriff_conformance::signing::sign(mock.secret(), path.as_bytes()),
            ),
        mock.signed(Method::DELETE, &path, SUBMIT),
    ];
    let expected = [(401, "1101"), (401, "1812"), (401, "1812"), (401, "1812")];
    for (request, (status, code)) in cases.into_iter().zip(expected) {
        let reply = mock.send(request).await;
        assert_eq!(
            (reply.status, reply.json()["code"].as_str()),
            (status, Some(code))
        );
    }
    assert_eq!(mock.delete(&id).await.status, 200);
}
