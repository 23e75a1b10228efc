//! Webhooks: what the mock sends, how it delivers and retries, the delivery
//! log, resend and the decision trigger.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use veriff_conformance::WebhookKind;
use veriff_conformance::mock::{BodyForm, MockConfig, MockServer, OutgoingWebhook, WebhookConfig};
use veriff_conformance::signing::verify;

use crate::support::{Mock, Reply};

/// One request a receiver got.
#[derive(Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A webhook receiver: answers with the scripted statuses in turn (the last
/// one repeats) and hands every request it gets to the test.
struct Receiver {
    url: String,
    got: mpsc::UnboundedReceiver<Received>,
}

impl Receiver {
    async fn start(statuses: &[u16]) -> Self {
        #[derive(Clone)]
        struct Script {
            statuses: Arc<Mutex<VecDeque<u16>>>,
            got: mpsc::UnboundedSender<Received>,
        }
        async fn answer(State(script): State<Script>, request: Request) -> StatusCode {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.expect("body");
            let status = {
                let mut statuses = script.statuses.lock().expect("lock");
                if statuses.len() > 1 {
                    statuses.pop_front().expect("a status")
                } else {
                    statuses.front().copied().expect("a status")
                }
            };
            let _ = script.got.send(Received {
                path: parts.uri.path().to_owned(),
                headers: parts.headers,
                body,
            });
            StatusCode::from_u16(status).expect("status")
        }
        let (tx, got) = mpsc::unbounded_channel();
        let script = Script {
            statuses: Arc::new(Mutex::new(statuses.iter().copied().collect())),
            got: tx,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        let app = Router::new().fallback(answer).with_state(script);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, got }
    }

    async fn next(&mut self) -> Received {
        self.got.recv().await.expect("the receiver is running")
    }

    /// Whatever arrived so far, without waiting.
    fn so_far(&mut self) -> Vec<Received> {
        std::iter::from_fn(|| self.got.try_recv().ok()).collect()
    }
}

fn webhooks(config: WebhookConfig) -> MockConfig {
    MockConfig {
        webhooks: config,
        ..MockConfig::generated()
    }
}

/// Quick retries, for tests: every 10 ms, for 100 ms.
fn quick() -> WebhookConfig {
    WebhookConfig {
        retry_every: Duration::from_millis(10),
        retry_for: Duration::from_millis(100),
        ..WebhookConfig::default()
    }
}

impl Mock {
    fn keyed_get(&self, path: &str) -> reqwest::RequestBuilder {
        self.bare(Method::GET, path)
            .header("x-auth-client", self.key())
    }

    async fn log(&self) -> Value {
        let reply = self.send(self.keyed_get("/mock/webhooks")).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }

    async fn delivery(&self, id: &str) -> Value {
        let reply = self
            .send(self.keyed_get(&format!("/mock/webhooks/{id}")))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }

    /// Polls the delivery until it leaves `pending` (it always does: every
    /// series ends within its retry_for plus one attempt).
    async fn finished(&self, id: &str) -> Value {
        loop {
            let delivery = self.delivery(id).await;
            if delivery["state"] != "pending" {
                return delivery;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn trigger(&self, id: &str, body: &str) -> Reply {
        self.send(self.keyed(
            Method::POST,
            &format!("/mock/sessions/{id}/decision"),
            body.as_bytes(),
        ))
        .await
    }

    /// Creates a session and submits it with the decision trick `Approve`.
    async fn approved_session(&self) -> String {
        let created = self.create_named("Approve").await;
        assert_eq!(self.submit(&created.id).await.status, 200);
        created.id
    }
}

/// The ids of the log's deliveries.
fn ids(log: &Value) -> Vec<String> {
    log["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_owned())
        .collect()
}

#[track_caller]
fn assert_signed_webhook(mock: &Mock, received: &Received) {
    assert_eq!(received.header("content-type"), Some("application/json"));
    assert_eq!(received.header("x-auth-client"), Some(mock.key()));
    let signature = received.header("x-hmac-signature").expect("signature");
    assert_eq!(signature, signature.to_lowercase());
    assert!(
        verify(mock.secret(), &received.body, signature),
        "the signature covers the raw body"
    );
}

/// What JavaScript's `JSON.stringify(JSON.parse(body))` gives back, as far
/// as a compact serde_json body can differ: same bytes after a round trip
/// through serde_json, and no `\u` escape that JSON.stringify would not write
/// (it escapes only control characters, `"` and `\`).
#[track_caller]
fn assert_round_trips(body: &[u8]) {
    let parsed: Value = serde_json::from_slice(body).expect("JSON");
    assert_eq!(serde_json::to_vec(&parsed).expect("serialises"), body);
    let text = std::str::from_utf8(body).expect("UTF-8");
    for (at, _) in text.match_indices("\\u") {
        let code = u32::from_str_radix(&text[at + 2..at + 6], 16).expect("hex");
        assert!(code < 0x20, "JSON.stringify would not escape \\u{code:04x}");
        assert_eq!(&text[at + 2..at + 6], text[at + 2..at + 6].to_lowercase());
    }
}

#[tokio::test]
async fn started_and_submitted_send_event_webhooks_shaped_like_veriffs_sample() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        event: Some(receiver.url.clone()),
        ..quick()
    }))
    .await;
    let created = mock
        .create_with(br#"{"verification":{"vendorData":"user-1","endUserId":"a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4"}}"#)
        .await;
    assert_eq!(mock.open(&created.token).await.status, 200);
    let started = receiver.next().await;
    assert_eq!(mock.submit(&created.id).await.status, 200);
    let submitted = receiver.next().await;

    let attempt = mock.attempts(&created.id).await.json()["verifications"][0]["id"].clone();
    for (received, code, action) in [(&started, 7001, "started"), (&submitted, 7002, "submitted")] {
        assert_eq!(received.path, "/hooks");
        assert_signed_webhook(&mock, received);
        assert_round_trips(&received.body);
        let body = received.json();
        let keys: Vec<&str> = body
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "attemptId",
                "feature",
                "code",
                "action",
                "vendorData",
                "endUserId"
            ]
        );
        assert_eq!(body["id"], created.id.as_str());
        assert_eq!(body["attemptId"], attempt);
        assert_eq!(body["feature"], "selfid");
        assert_eq!(
            (body["code"].clone(), body["action"].clone()),
            (code.into(), action.into())
        );
        assert_eq!(body["vendorData"], "user-1");
        assert_eq!(body["endUserId"], "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4");
    }
    // Visiting again starts nothing new.
    mock.open(&created.token).await;
    let log = mock.log().await;
    assert_eq!(ids(&log).len(), 2);
}

#[tokio::test]
async fn a_decision_webhook_is_the_decision_answer_byte_for_byte() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(receiver.url.clone()),
        ..quick()
    }))
    .await;
    let id = mock.approved_session().await;
    let webhook = receiver.next().await;
    assert_signed_webhook(&mock, &webhook);
    assert_round_trips(&webhook.body);
    let answer = mock.decision(&id).await;
    assert_eq!(webhook.body, answer.body);
    assert_eq!(webhook.json()["verification"]["code"], 9001);
}

#[tokio::test]
async fn every_way_of_deciding_sends_one_decision_webhook_per_decision() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(receiver.url.clone()),
        ..quick()
    }))
    .await;
    // The X-Mock-Decision header, twice: the second asks for nothing new.
    let created = mock.create().await;
    mock.submit(&created.id).await;
    for _ in 0..2 {
        let reply = mock
            .send(
                mock.signed_get(
                    &format!("/v1/sessions/{}/decision", created.id),
                    &created.id,
                )
                .header("x-mock-decision", "declined"),
            )
            .await;
        assert_eq!(reply.status, 200);
    }
    assert_eq!(
        receiver.next().await.json()["verification"]["status"],
        "declined"
    );

    // The trigger, twice.
    let other = mock.create().await;
    mock.submit(&other.id).await;
    for _ in 0..2 {
        let reply = mock.trigger(&other.id, r#"{"status":"review"}"#).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        mock.assert_signed(&reply);
        assert_eq!(reply.body, mock.decision(&other.id).await.body);
    }
    let webhook = receiver.next().await;
    assert_eq!(webhook.json()["verification"]["id"], other.id.as_str());
    assert_eq!(webhook.json()["verification"]["code"], 9121);

    // Each change was logged when it happened: one webhook per decision.
    assert_eq!(ids(&mock.log().await).len(), 2);
}

#[tokio::test]
async fn the_trigger_refuses_what_the_decision_control_refuses() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    mock.trigger(&created.id, r#"{"status":"approved"}"#)
        .await
        .assert_fail(400, "1304", r#"Cannot transition to \"approved\" status"#);
    let bad = mock.trigger(&created.id, r#"{"status":"submitted"}"#).await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("approved, declined"), "{}", bad.text());
    let unknown = mock
        .trigger("no-such-session", r#"{"status":"expired"}"#)
        .await;
    assert_eq!(unknown.status, 404);
    let expired = mock.trigger(&created.id, r#"{"status":"expired"}"#).await;
    assert_eq!(expired.json()["verification"]["status"], "expired");
}

#[tokio::test]
async fn only_a_200_counts_as_delivered() {
    let mut receiver = Receiver::start(&[201, 204, 500, 200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(receiver.url.clone()),
        retry_for: Duration::from_secs(60),
        ..quick()
    }))
    .await;
    mock.approved_session().await;
    let id = ids(&mock.log().await).remove(0);
    let delivery = mock.finished(&id).await;
    assert_eq!(delivery["state"], "delivered");
    let statuses: Vec<Value> = delivery["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(statuses, [201, 204, 500, 200]);
    let bodies: Vec<Bytes> = receiver.so_far().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 4);
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every attempt sends the same bytes"
    );
}

#[tokio::test]
async fn failures_are_retried_on_schedule_and_given_up_after_retry_for() {
    let mut receiver = Receiver::start(&[500]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(receiver.url.clone()),
        retry_every: Duration::from_millis(10),
        retry_for: Duration::from_millis(35),
        ..WebhookConfig::default()
    }))
    .await;
    mock.approved_session().await;
    let id = ids(&mock.log().await).remove(0);
    let delivery = mock.finished(&id).await;
    assert_eq!(delivery["state"], "given_up");
    // Attempts at 0, 10, 20 and 30 ms: none may start after 35 ms.
    assert_eq!(delivery["attemptCount"], 4);
    assert_eq!(delivery["note"], "given up after 4 attempts");
    assert_eq!(receiver.so_far().len(), 4);
}

#[tokio::test]
async fn a_refused_connection_is_a_failed_attempt() {
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", closed.local_addr().expect("addr"));
    drop(closed);
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(url),
        retry_every: Duration::from_millis(5),
        retry_for: Duration::from_millis(10),
        ..WebhookConfig::default()
    }))
    .await;
    mock.approved_session().await;
    let id = ids(&mock.log().await).remove(0);
    let delivery = mock.finished(&id).await;
    assert_eq!(delivery["state"], "given_up");
    assert_eq!(delivery["attemptCount"], 3);
    let attempt = &delivery["attempts"][0];
    assert_eq!(attempt["status"], Value::Null);
    assert!(
        attempt["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("could not connect")),
        "{attempt}"
    );
}

/// A receiver that reads each request head and never answers; it reports
/// each connection once the head has arrived, and keeps it open.
async fn silent_receiver() -> (String, mpsc::UnboundedReceiver<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/silent", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = tx.send(stream);
        }
    });
    (url, rx)
}

#[tokio::test]
async fn a_receiver_that_never_answers_delays_no_api_answer_and_times_out() {
    let (url, mut held) = silent_receiver().await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        event: Some(url),
        // Long enough for the submit and two reads of the log to come back
        // before it runs out, on a loaded machine.
        attempt_timeout: Duration::from_secs(2),
        retry_for: Duration::ZERO,
        ..quick()
    }))
    .await;
    let created = mock.create().await;
    mock.open(&created.token).await;
    // The receiver holds the `started` webhook, unanswered...
    let holding = held.recv().await.expect("the webhook arrives");
    // ...while the API answers the submit.
    assert_eq!(mock.submit(&created.id).await.status, 200);
    let first = ids(&mock.log().await).remove(0);
    assert_eq!(mock.delivery(&first).await["state"], "pending");

    // The attempt times out while the receiver still holds the request.
    let delivery = mock.finished(&first).await;
    assert_eq!(delivery["state"], "given_up");
    assert_eq!(delivery["attempts"][0]["error"], "no answer within 2s");
    drop(holding);
}

#[tokio::test]
async fn a_receiver_that_never_answers_holds_at_most_eight_attempts_and_holds_back_no_other_receiver()
 {
    let (silent, mut held) = silent_receiver().await;
    let mut decisions = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        event: Some(silent),
        decision: Some(decisions.url.clone()),
        attempt_timeout: Duration::from_secs(3_600),
        ..quick()
    }))
    .await;
    // Ten `started` webhooks to the receiver that never answers.
    let mut sessions = Vec::new();
    for _ in 0..10 {
        let created = mock.create().await;
        mock.open(&created.token).await;
        sessions.push(created);
    }
    let mut holding = Vec::new();
    for _ in 0..8 {
        holding.push(held.recv().await.expect("an attempt arrives"));
    }
    // A decision goes to the other receiver while all eight are held.
    let approved = mock.approved_session().await;
    let decision = decisions.next().await;
    assert_eq!(decision.json()["verification"]["id"], approved);
    // The two other `started` webhooks still wait their turn: the log shows
    // ten pending, and the silent receiver has had eight requests.
    let log = mock.log().await;
    let pending = log["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .filter(|d| d["type"] == "event" && d["state"] == "pending")
        .count();
    assert!(pending >= 10, "{log}");
    assert!(held.try_recv().is_err(), "a ninth attempt was let through");
    drop(holding);
}

#[tokio::test]
async fn a_redirect_is_a_failed_attempt_and_is_not_followed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/first", listener.local_addr().expect("addr"));
    let paths = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&paths);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = stream.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
            seen.lock().expect("lock").push(path);
            let _ = stream
                .write_all(b"HTTP/1.1 302 Found\r\nlocation: /second\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(url),
        retry_for: Duration::ZERO,
        ..quick()
    }))
    .await;
    mock.approved_session().await;
    let id = ids(&mock.log().await).remove(0);
    let delivery = mock.finished(&id).await;
    assert_eq!(delivery["state"], "given_up");
    assert_eq!(delivery["attempts"][0]["status"], 302);
    assert_eq!(*paths.lock().expect("lock"), ["/first"]);
}

#[tokio::test]
async fn only_the_start_of_a_huge_answer_is_read() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let (done, wrote) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; 8192];
        let _ = stream.read(&mut buf).await;
        let huge = 256 * 1024 * 1024;
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {huge}\r\n\r\n");
        let _ = stream.write_all(head.as_bytes()).await;
        let chunk = vec![b'x'; 1 << 20];
        let mut sent = 0;
        let result = loop {
            if sent >= huge {
                break Ok(());
            }
            if let Err(e) = stream.write_all(&chunk).await {
                break Err(e);
            }
            sent += chunk.len();
        };
        let _ = done.send(result.is_err());
    });
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(url),
        ..quick()
    }))
    .await;
    mock.approved_session().await;
    let id = ids(&mock.log().await).remove(0);
    let delivery = mock.finished(&id).await;
    assert_eq!(delivery["state"], "delivered");
    let answer = delivery["attempts"][0]["answer"].as_str().expect("answer");
    assert!(
        answer.len() <= 1024 && answer.starts_with("xxx"),
        "{}",
        answer.len()
    );
    assert!(
        wrote.await.expect("the receiver reports"),
        "the mock stops reading, so the receiver cannot write 256 MiB"
    );
}

#[tokio::test]
async fn past_max_pending_the_oldest_pending_webhook_is_dropped_and_logged_as_dropped() {
    let (url, _held) = silent_receiver().await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        event: Some(url),
        max_pending: 2,
        attempt_timeout: Duration::from_secs(3_600),
        ..WebhookConfig::default()
    }))
    .await;
    for _ in 0..3 {
        let created = mock.create().await;
        mock.open(&created.token).await;
    }
    let log = mock.log().await;
    let states: Vec<&Value> = log["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|d| &d["state"])
        .collect();
    assert_eq!(states, ["dropped", "pending", "pending"]);
    let note = log["deliveries"][0]["note"].as_str().expect("a note");
    assert!(note.contains("too many webhooks pending"), "{note}");
}

#[tokio::test]
async fn resend_sends_the_same_bytes_again_as_a_new_delivery() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(receiver.url.clone()),
        ..quick()
    }))
    .await;
    mock.approved_session().await;
    let first = receiver.next().await;
    let id = ids(&mock.log().await).remove(0);
    let reply = mock
        .send(mock.keyed(Method::POST, &format!("/mock/webhooks/{id}/resend"), b""))
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    let resent = reply.json();
    assert_eq!(resent["resendOf"], id.as_str());
    assert_ne!(resent["id"], id.as_str());
    let again = receiver.next().await;
    assert_eq!(again.body, first.body);
    assert_eq!(
        again.header("x-hmac-signature"),
        first.header("x-hmac-signature")
    );
    for unknown in [
        mock.send(mock.keyed(Method::POST, "/mock/webhooks/nope/resend", b""))
            .await,
        mock.send(mock.keyed_get("/mock/webhooks/nope")).await,
    ] {
        assert_eq!(unknown.status, 404);
        let message = unknown.json()["message"].as_str().unwrap_or("").to_owned();
        assert!(
            message.starts_with("No webhook delivery \"nope\" in the log"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_pretty_body_form_sends_indented_json_signed_over_those_bytes() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(receiver.url.clone()),
        body_form: BodyForm::Pretty,
        ..quick()
    }))
    .await;
    mock.approved_session().await;
    let got = receiver.next().await;
    assert!(got.body.starts_with(b"{\n  \""), "{:?}", got.body);
    let signature = got.header("x-hmac-signature").expect("signed");
    assert!(verify(mock.secret(), &got.body, signature));
    let compact = serde_json::to_vec(&got.json()).unwrap();
    assert!(
        !verify(mock.secret(), &compact, signature),
        "the same JSON written compact is other bytes"
    );
}

#[tokio::test]
async fn the_mock_only_routes_need_the_api_key() {
    let mock = Mock::start().await;
    let created = mock.create().await;
    let routes = [
        (Method::GET, "/mock/webhooks".to_owned()),
        (Method::GET, "/mock/webhooks/some-id".to_owned()),
        (Method::POST, "/mock/webhooks/some-id/resend".to_owned()),
        (
            Method::POST,
            format!("/mock/sessions/{}/decision", created.id),
        ),
    ];
    for (method, path) in routes {
        let body = br#"{"status":"expired"}"#.to_vec();
        let missing = mock
            .send(
                mock.bare(method.clone(), &path)
                    .header("content-type", "application/json")
                    .body(body.clone()),
            )
            .await;
        assert_eq!(missing.status, 401, "{method} {path}");
        let wrong = mock
            .send(
                mock.bare(method.clone(), &path)
                    .header("x-auth-client", "not-the-key")
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        wrong.assert_fail(401, "1803", "Integration not found");
    }
    // Refused, so still undecided.
    assert_eq!(
        mock.decision(&created.id).await.json()["verification"],
        Value::Null
    );
}

#[tokio::test]
async fn a_webhook_url_that_is_not_http_is_refused_at_start() {
    for url in ["ftp://example.com/hook", "not a url", "/relative"] {
        let config = webhooks(WebhookConfig {
            decision: Some(url.to_owned()),
            ..WebhookConfig::default()
        });
        let error = MockServer::start(config).await.expect_err(url);
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert!(
            error.to_string().contains("decision webhook URL"),
            "{error}"
        );
    }
}

#[test]
fn the_mock_command_exits_2_on_a_webhook_url_that_is_not_http() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_veriff-conformance"))
        .args([
            "mock",
            "--listen",
            "127.0.0.1:0",
            "--event-webhook",
            "file:///tmp/hook",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("event webhook URL \"file:///tmp/hook\""),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_delivery_log_shows_no_secret() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        decision: Some(receiver.url.clone()),
        ..quick()
    }))
    .await;
    let id = mock.approved_session().await;
    assert_eq!(
        receiver.next().await.header("x-auth-client"),
        Some(mock.key())
    );
    let text = mock.send(mock.keyed_get("/mock/webhooks")).await.text();
    assert!(text.contains(&id));
    assert!(!text.contains(mock.key()), "{text}");
    assert!(!text.contains(mock.secret()), "{text}");
    assert!(text.contains(r#"["x-auth-client","***"]"#), "{text}");
}

#[tokio::test]
async fn bodies_keep_non_ascii_text_as_json_stringify_would() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        event: Some(receiver.url.clone()),
        ..quick()
    }))
    .await;
    let vendor = "Jüri 🚀 \"quoted\" back\\slash tab\t ctl\u{1} end\u{2028}";
    let body = serde_json::json!({"verification": {"vendorData": vendor}});
    let created = mock.create_with(body.to_string().as_bytes()).await;
    mock.open(&created.token).await;
    let webhook = receiver.next().await;
    assert_round_trips(&webhook.body);
    let text = std::str::from_utf8(&webhook.body).expect("UTF-8");
    assert!(
        text.contains("Jüri 🚀 \\\"quoted\\\" back\\\\slash tab\\t ctl\\u0001 end\u{2028}"),
        "{text}"
    );
    assert_eq!(webhook.json()["vendorData"], vendor);
}

/// A mock sending decision and event webhooks to `receiver` through `tamper`.
async fn tampered(
    receiver: &Receiver,
    tamper: impl Fn(&mut OutgoingWebhook) + Send + Sync + 'static,
) -> Mock {
    let server = MockServer::builder()
        .config(webhooks(WebhookConfig {
            decision: Some(receiver.url.clone()),
            event: Some(receiver.url.clone()),
            ..quick()
        }))
        .tamper_webhooks(tamper)
        .start()
        .await
        .expect("starts");
    Mock {
        server,
        http: crate::support::http_client(),
    }
}

#[tokio::test]
async fn the_tamper_hook_changes_or_discards_what_is_sent() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = tampered(&receiver, |webhook| match webhook.kind() {
        WebhookKind::Event => webhook.discard(),
        _ => {
            webhook.set_header("x-hmac-signature", &"0".repeat(64));
            webhook.body.extend_from_slice(b"\n");
        }
    })
    .await;
    mock.approved_session().await;
    let decision = receiver.next().await;
    assert!(decision.body.ends_with(b"}\n"));
    assert!(!verify(
        mock.secret(),
        &decision.body,
        decision.header("x-hmac-signature").expect("signature")
    ));
    let log = mock.log().await;
    let event = &log["deliveries"][0];
    assert_eq!(event["type"], "event");
    assert_eq!(event["state"], "dropped");
    assert_eq!(event["note"], "dropped: discarded by the tamper hook");
    assert_eq!(event["attemptCount"], 0);
}

#[tokio::test]
async fn a_tamper_hook_that_panics_loses_its_one_webhook_and_the_next_ones_are_still_sent() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = tampered(&receiver, |webhook| {
        if webhook.kind() == WebhookKind::Event {
            panic!("a hook with a bug");
        }
    })
    .await;
    mock.approved_session().await;
    // The decision comes after the events whose hook panicked.
    let decision = receiver.next().await;
    assert_signed_webhook(&mock, &decision);
    assert!(
        decision.json().get("verification").is_some(),
        "{decision:?}"
    );
    let log = mock.log().await;
    let events: Vec<&serde_json::Value> = log["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .filter(|d| d["type"] == "event")
        .collect();
    assert!(!events.is_empty());
    for event in events {
        assert_eq!(event["state"], "dropped");
        assert_eq!(event["note"], "dropped: the tamper hook panicked");
    }
}

#[tokio::test]
async fn a_decided_attempt_sends_one_no_match_watchlist_webhook_like_the_screening_answer() {
    let mut receiver = Receiver::start(&[200]).await;
    let mock = Mock::start_with(webhooks(WebhookConfig {
        watchlist: Some(receiver.url.clone()),
        ..quick()
    }))
    .await;
    let id = mock.approved_session().await;
    let webhook = receiver.next().await;
    assert_signed_webhook(&mock, &webhook);
    let screening = mock
        .get_signed(&format!("/v1/sessions/{id}/watchlist-screening"), &id)
        .await
        .json();
    assert_eq!(webhook.json(), screening["data"]);
    assert_eq!(webhook.json()["matchStatus"], "no_match");
    assert_eq!(webhook.json()["checkType"], "initial_result");
    // An expiry screens nobody.
    let idle = mock.create().await;
    mock.trigger(&idle.id, r#"{"status":"expired"}"#).await;
    assert_eq!(ids(&mock.log().await).len(), 1);
}
