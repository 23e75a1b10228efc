//! The flow page at the session url, and its buttons, over plain HTTP: what
//! each button changes (state, webhooks, decision, delivery log) and what it
//! refuses. tests/browser clicks the same buttons in Chromium.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use veriff_conformance::mock::MockConfig;
use veriff_conformance::signing::verify;
use veriff_conformance::{Inbox, Webhook, WebhookKind, WebhookReceiver};

use crate::support::{Created, Mock, Reply};

/// What Chromium sends when it navigates.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// A mock whose webhooks go to a receiver of the test's own.
async fn with_receiver(config: MockConfig) -> (Mock, WebhookReceiver) {
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
        .await
        .expect("receiver");
    let mut config = config;
    config.webhooks.decision = Some(format!("{}/decisions", receiver.url()));
    config.webhooks.event = Some(format!("{}/events", receiver.url()));
    (Mock::start_with(config).await, receiver)
}

/// Waits (at most 10 s) until `count` webhooks have arrived, and returns them.
async fn arrived(receiver: &WebhookReceiver, count: usize) -> Vec<Arc<Webhook>> {
    let inbox = receiver.inbox();
    let mut arrivals = inbox.subscribe();
    let wait = async {
        loop {
            arrivals.borrow_and_update();
            let held = inbox.after(0);
            if held.len() >= count {
                return held;
            }
            arrivals.changed().await.expect("the receiver is running");
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap_or_else(|_| panic!("{count} webhooks did not arrive: {:?}", inbox.after(0)))
}

fn body(webhook: &Webhook) -> Value {
    serde_json::from_slice(&webhook.body).expect("JSON webhook")
}

fn header<'a>(webhook: &'a Webhook, name: &str) -> Option<&'a str> {
    webhook
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

impl Mock {
    async fn page(&self, token: &str, query: &str) -> Reply {
        self.send(
            self.bare(Method::GET, &format!("/v/{token}{query}"))
                .header("accept", BROWSER_ACCEPT),
        )
        .await
    }

    async fn press(&self, token: &str, action: &str) -> Reply {
        self.send(self.bare(Method::POST, &format!("/v/{token}/{action}")))
            .await
    }

    /// The mock's decision trigger.
    async fn decide(&self, id: &str, status: &str) -> Reply {
        let body = format!(r#"{{"status":"{status}"}}"#);
        self.send(self.keyed(
            Method::POST,
            &format!("/mock/sessions/{id}/decision"),
            body.as_bytes(),
        ))
        .await
    }

    async fn decision_code(&self, id: &str) -> Value {
        let reply = self.decision(id).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["verification"]["code"].clone()
    }

    async fn log_of(&self, id: &str) -> Vec<Value> {
        let reply = self
            .send(
                self.bare(Method::GET, &format!("/mock/webhooks?session={id}"))
                    .header("x-auth-client", self.key()),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["deliveries"]
            .as_array()
            .expect("deliveries")
            .clone()
    }
}

#[tokio::test]
async fn a_browser_gets_the_flow_page_and_other_clients_keep_the_json_answer() {
    let mock = Mock::start().await;
    let created = mock
        .create_with(
            br#"{"verification":{"person":{"firstName":"Ann <b>","lastName":"Lee"},"vendorData":"order-\"7\""}}"#,
        )
        .await;
    let page = mock.page(&created.token, "?lang=et").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(r#"<html lang="et">"#));
    assert!(html.contains(&created.id));
    assert!(html.contains("Ann &lt;b&gt; Lee"), "the name, escaped");
    assert!(html.contains("order-&quot;7&quot;"), "vendorData, escaped");
    for button in [
        "Approve",
        "Decline",
        "Request resubmission",
        "Submit",
        "Cancel",
    ] {
        assert!(html.contains(&format!(">{button}</button>")), "{button}");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external asset"
    );
    let json = mock.open(&created.token).await;
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(json.json()["verification"]["status"], "started");
}

#[tokio::test]
async fn approve_submits_and_decides_with_the_webhooks_decision_and_log_of_the_trigger() {
    let (mock, receiver) = with_receiver(MockConfig::generated()).await;
    let created = mock.create().await;
    assert_eq!(mock.page(&created.token, "").await.status, 200);
    let pressed = mock.press(&created.token, "approve").await;
    assert_eq!(pressed.status, 200, "{}", pressed.text());
    assert_eq!(pressed.json()["status"], "approved");
    assert_eq!(mock.decision_code(&created.id).await, 9001);

    let webhooks = arrived(&receiver, 3).await;
    let mut shapes: Vec<(WebhookKind, Value)> =
        webhooks.iter().map(|w| shape(w.kind, &body(w))).collect();
    shapes.sort_by_key(|(kind, code)| (*kind == WebhookKind::Decision, code.as_i64()));
    let expected = [
        (WebhookKind::Event, 7001.into()),
        (WebhookKind::Event, 7002.into()),
        (WebhookKind::Decision, 9001.into()),
    ];
    assert_eq!(shapes, expected, "what arrived, in any order");
    for webhook in &webhooks {
        let signature = header(webhook, "x-hmac-signature").expect("signed");
        assert!(verify(mock.secret(), &webhook.body, signature));
    }
    let decision = mock.decision(&created.id).await.json();
    let sent = webhooks
        .iter()
        .find(|w| w.kind == WebhookKind::Decision)
        .expect("the decision webhook");
    assert_eq!(body(sent), decision, "the webhook is the decision");
    let log: Vec<(WebhookKind, Value)> = mock
        .log_of(&created.id)
        .await
        .iter()
        .map(|entry| {
            let kind = entry["type"]
                .as_str()
                .and_then(WebhookKind::parse)
                .expect("a delivery's type");
            let text = entry["body"].as_str().expect("the body as sent");
            shape(kind, &serde_json::from_str(text).expect("JSON"))
        })
        .collect();
    assert_eq!(log, expected, "the log keeps the order they were made in");
}

/// A webhook's kind and its code, for comparing what arrived.
fn shape(kind: WebhookKind, body: &Value) -> (WebhookKind, Value) {
    let code = match kind {
        WebhookKind::Event => body["code"].clone(),
        _ => body["verification"]["code"].clone(),
    };
    (kind, code)
}

#[tokio::test]
async fn decline_and_request_resubmission_decide_their_statuses() {
    let mock = Mock::start().await;
    for (action, status, code) in [
        ("decline", "declined", 9102),
        ("resubmit", "resubmission_requested", 9103),
    ] {
        let created = mock.create().await;
        mock.page(&created.token, "").await;
        let pressed = mock.press(&created.token, action).await;
        assert_eq!(pressed.json()["status"], status, "{action}");
        assert_eq!(mock.decision_code(&created.id).await, code, "{action}");
    }
}

#[tokio::test]
async fn a_button_decides_even_a_session_named_for_the_decision_trick() {
    let mock = Mock::start().await;
    let created = mock.create_named("Approve").await;
    let pressed = mock.press(&created.token, "decline").await;
    assert_eq!(pressed.json()["status"], "declined");
    assert_eq!(mock.decision_code(&created.id).await, 9102);
}

#[tokio::test]
async fn submit_leaves_the_decision_to_a_later_trigger() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let pressed = mock.press(&created.token, "submit").await;
    assert_eq!(pressed.json()["status"], "submitted");
    assert_eq!(
        mock.decision(&created.id).await.json()["verification"],
        Value::Null
    );
    assert_eq!(mock.decide(&created.id, "approved").await.status, 200);
    assert_eq!(mock.decision_code(&created.id).await, 9001);
}

#[tokio::test]
async fn cancel_changes_nothing_and_sends_nothing() {
    let (mock, receiver) = with_receiver(MockConfig::generated()).await;
    let created = mock.create().await;
    mock.page(&created.token, "").await;
    let pressed = mock.press(&created.token, "cancel").await;
    assert_eq!(pressed.status, 200);
    assert_eq!(pressed.json()["status"], "started");
    assert_eq!(
        mock.open(&created.token).await.json()["verification"]["status"],
        "started"
    );
    assert_eq!(
        arrived(&receiver, 1).await.len(),
        1,
        "only the started event"
    );
    assert_eq!(mock.log_of(&created.id).await.len(), 1);
}

#[tokio::test]
async fn a_button_on_a_decided_or_expired_session_says_why_and_changes_nothing() {
    let mock = Mock::start().await;
    let decided = mock.create().await;
    mock.press(&decided.token, "approve").await;
    for action in ["approve", "decline", "resubmit", "submit", "cancel"] {
        let again = mock.press(&decided.token, action).await;
        assert_eq!(again.status, 409, "{action}");
        let message = again.json()["message"]
            .as_str()
            .expect("message")
            .to_owned();
        assert!(
            message.starts_with("The session is already approved, so "),
            "{message}"
        );
    }
    assert_eq!(mock.decision_code(&decided.id).await, 9001);

    let expired = mock.create().await;
    assert_eq!(mock.decide(&expired.id, "expired").await.status, 200);
    let refused = mock.press(&expired.token, "approve").await;
    assert_eq!(refused.status, 409);
    assert_eq!(
        refused.json()["message"],
        "The session is expired, so Approve changes nothing."
    );
    assert_eq!(mock.decision_code(&expired.id).await, 9104);
}

#[tokio::test]
async fn an_unknown_token_or_button_is_a_json_404() {
    let mock = Mock::start().await;
    let created: Created = mock.create().await;
    mock.press("no-such-token", "approve")
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.press(&created.token, "approved")
        .await
        .assert_fail(404, "1101", "Resource not found");
    mock.page("no-such-token", "")
        .await
        .assert_fail(404, "1101", "Resource not found");
}

#[tokio::test]
async fn an_http_callback_is_refused_unless_allowed_and_the_page_answers_with_it() {
    let body = br#"{"verification":{"callback":"http://localhost:5173/done"}}"#;
    let strict = Mock::start().await;
    strict
        .send(strict.keyed(Method::POST, "/v1/sessions", body))
        .await
        .assert_fail(400, "1302", "Only HTTPS return URLs are allowed");

    let lenient = Mock::start_with(MockConfig {
        allow_http_callback: true,
        ..MockConfig::generated()
    })
    .await;
    let created = lenient.create_with(body).await;
    let pressed = lenient.press(&created.token, "submit").await;
    assert_eq!(pressed.json()["callback"], "http://localhost:5173/done");
    lenient
        .send(lenient.keyed(
            Method::POST,
            "/v1/sessions",
            br#"{"verification":{"callback":"ftp://localhost/done"}}"#,
        ))
        .await
        .assert_fail(400, "1302", "Only HTTPS return URLs are allowed");
}
