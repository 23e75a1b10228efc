//! Attempts and decisions over HTTP: the firstName trick, resubmission, the
//! mock-only decision control, person and watchlist screening.

use reqwest::Method;
use serde_json::{Value, json};
use veriff_conformance::mock::DECISION_HEADER;

use crate::support::{JPEG_URI, Mock, Reply};

fn verification(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["verification"].clone()
}

/// The decision GET with the mock's decision control.
async fn force(mock: &Mock, id: &str, status: &str) -> Reply {
    mock.send(
        mock.signed_get(&format!("/v1/sessions/{id}/decision"), id)
            .header(DECISION_HEADER, status),
    )
    .await
}

#[tokio::test]
async fn the_decision_is_null_until_submit_and_stays_null_without_the_trick() {
    let mock = Mock::start().await;
    let created = mock.create_named("Tundmatu").await;
    assert!(verification(&mock.decision(&created.id).await).is_null());
    assert_eq!(mock.submit(&created.id).await.status, 200);
    let reply = mock.decision(&created.id).await;
    mock.assert_signed(&reply);
    assert_eq!(reply.text(), r#"{"status":"success","verification":null}"#);
    let attempts = mock.attempts(&created.id).await.json();
    assert_eq!(attempts["verifications"][0]["status"], "submitted");
}

#[tokio::test]
async fn approve_decline_and_resubmit_decide_at_submit_with_their_codes() {
    let mock = Mock::start().await;
    for (name, status, code) in [
        ("Approve", "approved", 9001),
        ("Decline", "declined", 9102),
        ("Resubmit", "resubmission_requested", 9103),
    ] {
        let body = json!({"verification": {
            "vendorData": "user-7",
            "endUserId": "c1de400b-1877-4b0b-9ed3-1b1d5c0b8d3e",
            "person": {"firstName": name, "lastName": "Smith", "dateOfBirth": "1990-02-03"},
            "document": {"number": "B01234567", "type": "PASSPORT", "country": "EE"},
        }});
        let created = mock.create_with(body.to_string().as_bytes()).await;
        // Before the submit, no decision.
        assert!(verification(&mock.decision(&created.id).await).is_null());
        let submitted = mock.submit(&created.id).await;
        // The PATCH answer still says submitted, as documented.
        assert_eq!(submitted.json()["verification"]["status"], "submitted");

        let reply = mock.decision(&created.id).await;
        mock.assert_signed(&reply);
        let v = verification(&reply);
        let attempts = mock.attempts(&created.id).await.json();
        let attempt = &attempts["verifications"][0];
        assert_eq!(attempt["status"], status, "{name}");
        assert_eq!(v["id"], json!(created.id));
        assert_eq!(v["attemptId"], attempt["id"]);
        assert_eq!(v["code"], code, "{name}");
        assert_eq!(v["status"], status);
        assert_eq!(v["vendorData"], "user-7");
        assert_eq!(v["endUserId"], "c1de400b-1877-4b0b-9ed3-1b1d5c0b8d3e");
        assert_eq!(v["reason"], Value::Null);
        assert_eq!(v["reasonCode"], Value::Null);
        assert_eq!(v["person"]["firstName"], name);
        assert_eq!(v["person"]["lastName"], "Smith");
        assert_eq!(v["document"]["number"], "B01234567");
        for time in ["acceptanceTime", "decisionTime"] {
            let text = v[time].as_str().expect("a time");
            assert!(
                text.len() == 27 && text.ends_with('Z') && text.as_bytes()[10] == b'T',
                "{time}: {text}"
            );
        }
        assert_eq!(reply.json()["technicalData"], json!({"ip": null}));
    }
}

#[tokio::test]
async fn resubmit_allows_a_new_attempt_with_new_media_and_a_new_submit() {
    let mock = Mock::start().await;
    let created = mock.create_named("Resubmit").await;
    mock.upload_ok(&created.id, "document-front", JPEG_URI)
        .await;
    assert_eq!(mock.submit(&created.id).await.status, 200);
    let first = verification(&mock.decision(&created.id).await);
    assert_eq!(first["code"], 9103);

    // Media are accepted again, in a new attempt.
    let again = mock
        .upload_ok(&created.id, "document-front", JPEG_URI)
        .await;
    let attempts = mock.attempts(&created.id).await;
    mock.assert_signed(&attempts);
    let list = attempts.json()["verifications"].clone();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    // Newest first.
    assert_eq!(list[0]["status"], "started");
    assert_eq!(list[1]["status"], "resubmission_requested");
    assert_eq!(list[1]["id"], first["attemptId"]);
    assert!(list[0]["createdTime"].is_string());
    // The previous decision stays until the new attempt is decided.
    assert_eq!(
        verification(&mock.decision(&created.id).await)["code"],
        9103
    );
    let listed = mock.session_media(&created.id).await.json();
    assert_eq!(listed["images"][0]["id"], json!(again));
    assert_eq!(listed["images"].as_array().map(Vec::len), Some(1));

    // The second submit is accepted and decided again.
    let resubmitted = mock.submit(&created.id).await;
    assert_eq!(resubmitted.status, 200, "{}", resubmitted.text());
    let second = verification(&mock.decision(&created.id).await);
    assert_eq!(second["attemptId"], list[0]["id"]);
    assert_ne!(second["attemptId"], first["attemptId"]);
}

#[tokio::test]
async fn the_tenth_attempt_is_declined_for_the_resubmission_limit() {
    let mock = Mock::start().await;
    let created = mock.create_named("Resubmit").await;
    for _ in 0..9 {
        assert_eq!(mock.submit(&created.id).await.status, 200);
    }
    assert_eq!(
        verification(&mock.decision(&created.id).await)["code"],
        9103
    );
    assert_eq!(mock.submit(&created.id).await.status, 200);
    let v = verification(&mock.decision(&created.id).await);
    assert_eq!(
        (&v["code"], &v["status"], &v["reasonCode"]),
        (&json!(9102), &json!("declined"), &json!(539))
    );
    mock.submit(&created.id)
        .await
        .assert_fail(400, "1101", "Session has already been submitted");
}

#[tokio::test]
async fn the_decision_control_decides_a_submitted_session() {
    let mock = Mock::start().await;
    for (status, code) in [
        ("approved", 9001),
        ("declined", 9102),
        ("resubmission_requested", 9103),
        ("review", 9121),
    ] {
        let created = mock.create().await;
        mock.submit(&created.id).await;
        let reply = force(&mock, &created.id, status).await;
        mock.assert_signed(&reply);
        let v = verification(&reply);
        assert_eq!((&v["status"], &v["code"]), (&json!(status), &json!(code)));
        // Sent again, or left off, the decision stays.
        assert_eq!(
            verification(&force(&mock, &created.id, status).await)["code"],
            code
        );
        assert_eq!(
            verification(&mock.decision(&created.id).await)["code"],
            code
        );
    }
}

#[tokio::test]
async fn the_decision_control_expires_and_abandons_unsubmitted_sessions() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let v = verification(&force(&mock, &created.id, "expired").await);
    assert_eq!(
        (&v["status"], &v["code"]),
        (&json!("expired"), &json!(9104))
    );
    assert_eq!(v["attemptId"], Value::Null);
    mock.submit(&created.id).await.assert_fail(
        400,
        "1304",
        r#"Cannot transition to \"submitted\" status"#,
    );

    let started = mock.create().await;
    mock.open(&started.token).await;
    let v = verification(&force(&mock, &started.id, "abandoned").await);
    assert_eq!(
        (&v["status"], &v["code"]),
        (&json!("abandoned"), &json!(9104))
    );
    assert!(v["attemptId"].is_string());
}

#[tokio::test]
async fn the_decision_control_refuses_what_the_state_machine_does_not_allow() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    force(&mock, &created.id, "approved").await.assert_fail(
        400,
        "1304",
        r#"Cannot transition to \"approved\" status"#,
    );
    force(&mock, &created.id, "abandoned").await.assert_fail(
        400,
        "1304",
        r#"Cannot transition to \"abandoned\" status"#,
    );
    for bad in ["submitted", "APPROVED", "yes"] {
        force(&mock, &created.id, bad).await.assert_fail(
            400,
            "1101",
            "x-mock-decision accepts approved, declined, resubmission_requested, review, expired or abandoned",
        );
    }
    // None of that changed the session.
    assert!(verification(&mock.decision(&created.id).await).is_null());
    mock.submit(&created.id).await;
    force(&mock, &created.id, "declined").await;
    force(&mock, &created.id, "approved").await.assert_fail(
        400,
        "1304",
        r#"Cannot transition to \"approved\" status"#,
    );
    // Unauthenticated, the control does nothing.
    let other = mock.create().await;
    mock.submit(&other.id).await;
    let unsigned = mock
        .bare(Method::GET, &format!("/v1/sessions/{}/decision", other.id))
        .header("x-auth-client", mock.key())
        .header(DECISION_HEADER, "approved");
    assert_eq!(mock.send(unsigned).await.status, 401);
    assert!(verification(&mock.decision(&other.id).await).is_null());
    // Unknown session.
    force(&mock, &uuid::Uuid::new_v4().to_string(), "approved")
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn person_returns_the_init_data_and_no_sanction_matches() {
    let mock = Mock::start().await;
    let body = json!({"verification": {"person": {
        "firstName": "Tundmatu", "lastName": "Toomas", "idNumber": "38508260269",
        "dateOfBirth": "1985-08-26", "gender": "M"
    }}});
    let created = mock.create_with(body.to_string().as_bytes()).await;
    let path = format!("/v1/sessions/{}/person", created.id);
    let reply = mock.get_signed(&path, &created.id).await;
    assert_eq!(reply.status, 200);
    mock.assert_signed(&reply);
    assert_eq!(
        reply.json(),
        json!({"status": "success", "person": {
            "firstName": "Tundmatu", "lastName": "Toomas", "fullName": "Tundmatu Toomas",
            "dateOfBirth": "1985-08-26", "gender": "M", "idNumber": "38508260269",
            "nationality": null, "pepSanctionMatches": []
        }})
    );
    let bare = mock.create().await;
    let path = format!("/v1/sessions/{}/person", bare.id);
    let person = mock.get_signed(&path, &bare.id).await.json();
    assert_eq!(person["person"]["firstName"], Value::Null);
    assert_eq!(person["person"]["pepSanctionMatches"], json!([]));
}

#[tokio::test]
async fn watchlist_screening_has_the_documented_fields_and_no_hits() {
    let mock = Mock::start().await;
    let body = json!({"verification": {
        "vendorData": "v-1",
        "person": {"firstName": "Jane", "lastName": "Doe", "dateOfBirth": "1970-01-01"}
    }});
    let created = mock.create_with(body.to_string().as_bytes()).await;
    mock.submit(&created.id).await;
    let attempt = mock.attempts(&created.id).await.json()["verifications"][0]["id"].clone();
    let path = format!("/v1/sessions/{}/watchlist-screening", created.id);
    let reply = mock.get_signed(&path, &created.id).await;
    assert_eq!(reply.status, 200);
    mock.assert_signed(&reply);
    let json = reply.json();
    let data = &json["data"];
    assert_eq!(json["status"], "success");
    assert_eq!(data["attemptId"], attempt);
    assert_eq!(data["sessionId"], json!(created.id));
    assert_eq!(data["vendorData"], "v-1");
    assert_eq!(data["endUserId"], Value::Null);
    assert_eq!(data["checkType"], "initial_result");
    assert_eq!(data["matchStatus"], "no_match");
    assert_eq!(
        data["searchTerm"],
        json!({"name": "Jane Doe", "year": "1970"})
    );
    assert_eq!(data["totalHits"], 0);
    assert_eq!(data["hits"], json!([]));
    assert!(data["createdAt"].is_string());
}
