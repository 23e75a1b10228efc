//! Webhook delivery: signs a webhook, runs the tamper hook, and delivers it
//! in the background, retrying until a `200`, within the bounds of
//! [`WebhookConfig`]. Nothing here blocks a request: [`Deliveries::send`]
//! records the webhook and queues its series of attempts for the delivery
//! worker, a thread of its own at a lower priority.
//!
//! - `delivery/log.rs`: the bounded log of deliveries and their states;
//! - `delivery/attempt.rs`: one HTTP attempt;
//! - `delivery/worker.rs`: the thread that runs every series of attempts;
//! - `delivery/outgoing.rs`: [`OutgoingWebhook`], what the tamper hook sees.

mod attempt;
mod log;
mod origins;
mod outgoing;
mod worker;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::config::MockConfig;
use super::response::to_bytes;
use crate::mask::Masker;
use crate::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign};

pub use outgoing::OutgoingWebhook;
pub(crate) use outgoing::WebhookKind;

use attempt::{Outcome, attempt, client};
use log::{AttemptRecord, Bounds, Entry, Log, Next, Request, State};
use origins::Origins;
use worker::Worker;

/// Most bytes of an answer kept in the log, per attempt.
pub(crate) const ANSWER_KEPT: usize = 1024;

/// The hook of [`MockServerBuilder::tamper_webhooks`](super::MockServerBuilder::tamper_webhooks).
pub(crate) type Tamper = Arc<dyn Fn(&mut OutgoingWebhook) + Send + Sync>;

/// What the series of attempts share.
struct Shared {
    log: Mutex<Log>,
    client: Result<reqwest::Client, String>,
    /// Turns to send to each receiver, so that connections are reused.
    origins: Origins,
    retry_every: Duration,
    retry_for: Duration,
    attempt_timeout: Duration,
    masker: Masker,
}

impl Shared {
    fn log(&self) -> MutexGuard<'_, Log> {
        // Nothing panics while holding the lock; recover rather than panic.
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `line` to standard error, masked.
    fn report(&self, line: &str) {
        eprintln!("veriff-conformance mock: {}", self.masker.mask(line));
    }
}

/// The mock's webhook deliveries: their log, and the worker sending them
/// (started with the first delivery). Dropping it stops every delivery.
pub(crate) struct Deliveries {
    shared: Arc<Shared>,
    worker: OnceLock<Result<Worker, String>>,
    decision: Option<String>,
    event: Option<String>,
    watchlist: Option<String>,
    api_key: String,
    shared_secret: String,
    tamper: Option<Tamper>,
    closed: AtomicBool,
}

impl Deliveries {
    pub(crate) fn new(config: &MockConfig, tamper: Option<Tamper>) -> Self {
        let webhooks = &config.webhooks;
        Self {
            shared: Arc::new(Shared {
                log: Mutex::new(Log::new(Bounds {
                    max_pending: webhooks.max_pending,
                    max_pending_bytes: webhooks.max_pending_bytes,
                    max_log: webhooks.max_log,
                })),
                client: client(webhooks.attempt_timeout),
                origins: Origins::default(),
                retry_every: webhooks.retry_every.max(Duration::from_millis(1)),
                retry_for: webhooks.retry_for,
                attempt_timeout: webhooks.attempt_timeout,
                masker: Masker::new([&config.api_key, &config.shared_secret]),
            }),
            worker: OnceLock::new(),
            decision: webhooks.decision.clone(),
            event: webhooks.event.clone(),
            watchlist: webhooks.watchlist.clone(),
            api_key: config.api_key.clone(),
            shared_secret: config.shared_secret.clone(),
            tamper,
            closed: AtomicBool::new(false),
        }
    }

    /// The configured URL of `kind`, if any.
    fn url(&self, kind: WebhookKind) -> Option<&str> {
        match kind {
            WebhookKind::Decision => self.decision.as_deref(),
            WebhookKind::Event => self.event.as_deref(),
            WebhookKind::Watchlist => self.watchlist.as_deref(),
            // The mock sends no other kind.
            WebhookKind::Unknown => None,
        }
    }

    /// Whether webhooks of `kind` are sent at all (a URL is configured).
    pub(crate) fn wants(&self, kind: WebhookKind) -> bool {
        self.url(kind).is_some()
    }

    /// Sends `body` as a webhook of `kind` about `session_id`, if its URL is
    /// configured: compact JSON, signed, through the tamper hook, then
    /// delivered in the background. Returns at once.
    pub(crate) fn send(&self, kind: WebhookKind, session_id: &str, body: &Value) {
        let Some(url) = self.url(kind) else {
            return;
        };
        let bytes = to_bytes(body);
        let headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            (API_KEY_HEADER.to_owned(), self.api_key.clone()),
            (
                SIGNATURE_HEADER.to_owned(),
                sign(&self.shared_secret, &bytes),
            ),
        ];
        let signed = Request {
            headers,
            body: Bytes::from(bytes),
        };
        self.start(kind, session_id.to_owned(), url.to_owned(), signed, None);
    }

    /// A new series of attempts for the delivery `id`, with the same signed
    /// bytes (through the tamper hook again). Returns the new delivery, as
    /// the log shows it; `None` for an unknown id.
    pub(crate) fn resend(&self, id: &str) -> Option<Vec<u8>> {
        let (kind, session_id, url, signed) = {
            let log = self.shared.log();
            let entry = log.get(id)?;
            (
                entry.kind,
                entry.session_id.clone(),
                entry.url.clone(),
                entry.signed.clone(),
            )
        };
        let new_id = self.start(kind, session_id, url, signed, Some(id.to_owned()));
        self.one(&new_id)
    }

    /// Records a delivery and starts its attempts; returns its id.
    fn start(
        &self,
        kind: WebhookKind,
        session_id: String,
        url: String,
        signed: Request,
        resend_of: Option<String>,
    ) -> String {
        let mut outgoing = OutgoingWebhook::new(
            kind,
            url.clone(),
            signed.headers.clone(),
            signed.body.to_vec(),
        );
        if let Some(tamper) = &self.tamper {
            tamper(&mut outgoing);
        }
        let (headers, body, discarded) = outgoing.into_parts();
        let (state, note) = if discarded {
            (
                State::Dropped,
                Some("dropped: discarded by the tamper hook".to_owned()),
            )
        } else if self.closed.load(Ordering::Acquire) {
            (
                State::Dropped,
                Some("dropped: the mock is shutting down".to_owned()),
            )
        } else {
            match self.worker() {
                Ok(_) => (State::Pending, None),
                Err(why) => (State::Dropped, Some(format!("dropped: {why}"))),
            }
        };
        let id = uuid::Uuid::new_v4().to_string();
        let entry = Entry {
            id: id.clone(),
            seq: 0,
            kind,
            session_id,
            url,
            created_at: now(),
            resend_of,
            signed,
            sent: Request {
                headers,
                body: Bytes::from(body),
            },
            state,
            note,
            attempts: Default::default(),
            attempt_count: 0,
            task: None,
        };
        let notices = self.shared.log().push(entry);
        for notice in &notices {
            self.shared.report(notice);
        }
        if state == State::Pending
            && let Ok(worker) = self.worker()
        {
            let (shared, task_id) = (Arc::clone(&self.shared), id.clone());
            let queued = worker.queue(series(Arc::clone(&self.shared), id.clone()), move |task| {
                shared.log().set_task(&task_id, task);
            });
            if !queued {
                let notice = self
                    .shared
                    .log()
                    .drop_pending(&id, "dropped: the mock is shutting down");
                if let Some(notice) = notice {
                    self.shared.report(&notice);
                }
            }
        }
        id
    }

    /// The delivery worker, started on first use.
    fn worker(&self) -> Result<&Worker, &str> {
        self.worker
            .get_or_init(Worker::start)
            .as_ref()
            .map_err(String::as_str)
    }

    /// The log, oldest delivery first, as masked JSON
    /// `{"deliveries":[...]}`; only those of `session` when given.
    pub(crate) fn list(&self, session: Option<&str>) -> Vec<u8> {
        let deliveries: Vec<Value> = self
            .shared
            .log()
            .iter()
            .filter(|entry| session.is_none_or(|id| entry.session_id == id))
            .map(Entry::view)
            .collect();
        self.masked(&json!({ "deliveries": deliveries }))
    }

    /// One delivery as masked JSON.
    pub(crate) fn one(&self, id: &str) -> Option<Vec<u8>> {
        let view = self.shared.log().get(id).map(Entry::view)?;
        Some(self.masked(&view))
    }

    fn masked(&self, view: &Value) -> Vec<u8> {
        self.shared.masker.mask_bytes(&to_bytes(view)).into_owned()
    }

    /// Stops every delivery and waits until the worker has ended them and
    /// closed their connections; later webhooks are dropped.
    pub(crate) async fn shutdown(&self) {
        self.closed.store(true, Ordering::Release);
        self.shared.log().stop_all();
        if let Some(Ok(worker)) = self.worker.get() {
            worker.stop().await;
        }
    }

    /// Series of attempts queued or running (for tests).
    #[cfg(test)]
    fn running(&self) -> usize {
        match self.worker.get() {
            Some(Ok(worker)) => worker.live(),
            _ => 0,
        }
    }
}

/// The attempts of one delivery: the first at once, then one every
/// `retry_every` after the first, while within `retry_for`, until a `200`.
async fn series(shared: Arc<Shared>, id: String) {
    let first = Instant::now();
    let mut made: u32 = 0;
    loop {
        let Some((url, request)) = shared.log().pending_request(&id) else {
            return;
        };
        let outcome = match &shared.client {
            Ok(client) => {
                let _turn = shared.origins.turn(&url).await;
                attempt(client, &url, &request, shared.attempt_timeout).await
            }
            Err(error) => Outcome::Failed(error.clone()),
        };
        made = made.saturating_add(1);
        let next = shared
            .retry_every
            .checked_mul(made)
            .filter(|after| *after <= shared.retry_for)
            .and_then(|after| first.checked_add(after));
        let record = record_of(outcome, &shared.masker);
        let (step, notice) = shared.log().record(&id, record, next.is_none());
        if let Some(notice) = notice {
            shared.report(&notice);
        }
        match (step, next) {
            (Next::Retry, Some(at)) => tokio::time::sleep_until(at).await,
            _ => return,
        }
    }
}

/// An attempt as the log keeps it: the answer's start as text, masked.
fn record_of(outcome: Outcome, masker: &Masker) -> AttemptRecord {
    let (status, error, answer) = match outcome {
        Outcome::Answered { status, answer } => (Some(status), None, answer),
        Outcome::Failed(error) => (None, Some(masker.mask(&error)), Vec::new()),
    };
    let text = String::from_utf8_lossy(&answer[..answer.len().min(ANSWER_KEPT)]);
    AttemptRecord {
        at: now(),
        status,
        error,
        answer: masker.mask(&text),
    }
}

/// The current time as ISO-8601 UTC with milliseconds.
fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::WebhookConfig;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn shutdown_ends_every_delivery_task_and_closes_its_connection() {
        // A receiver that accepts and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let config = MockConfig {
            webhooks: WebhookConfig {
                event: Some(format!("http://{}/", listener.local_addr().expect("addr"))),
                attempt_timeout: Duration::from_secs(3_600),
                ..WebhookConfig::default()
            },
            ..MockConfig::generated()
        };
        let deliveries = Deliveries::new(&config, None);
        deliveries.send(WebhookKind::Event, "session", &json!({"id": "session"}));
        let (mut held, _) = listener.accept().await.expect("the attempt connects");
        // The whole request arrives, and its answer never comes.
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        while !seen.ends_with(br#"{"id":"session"}"#) {
            let n = held.read(&mut buf).await.expect("read");
            assert_ne!(n, 0, "the request is cut short: {seen:?}");
            seen.extend_from_slice(&buf[..n]);
        }
        assert!(seen.starts_with(b"POST / HTTP/1.1"));
        assert_eq!(deliveries.running(), 1);

        deliveries.shutdown().await;
        assert_eq!(deliveries.running(), 0);
        // The mock's side is closed: reading reaches the end.
        let mut rest = Vec::new();
        held.read_to_end(&mut rest).await.expect("read");
        assert!(rest.is_empty());

        deliveries.send(WebhookKind::Event, "session", &json!({"id": "later"}));
        assert_eq!(deliveries.running(), 0, "nothing starts after shutdown");
        let log: Value = serde_json::from_slice(&deliveries.list(None)).expect("json");
        assert_eq!(log["deliveries"][1]["state"], "dropped");
    }

    #[tokio::test]
    async fn webhooks_of_kinds_without_a_url_are_not_recorded() {
        let deliveries = Deliveries::new(&MockConfig::generated(), None);
        assert!(!deliveries.wants(WebhookKind::Decision));
        deliveries.send(WebhookKind::Decision, "s", &json!({}));
        assert_eq!(deliveries.list(None), br#"{"deliveries":[]}"#);
    }
}
