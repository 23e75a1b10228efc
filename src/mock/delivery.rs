//! Webhook delivery: signs a webhook, runs the tamper hook, and delivers it
//! in the background, retrying until a `200`, within the bounds of
//! [`WebhookConfig`]. Nothing here blocks a request: [`Deliveries::send`]
//! leaves the webhook's facts in the inbox, in the order made, and wakes the
//! delivery worker (a thread of its own) once per batch;
//! the worker builds, signs and records the batch, then sends it.
//!
//! - `delivery/inbox.rs`: the webhooks made and not yet recorded;
//! - `delivery/log.rs`: the bounded log of deliveries and their states;
//! - `delivery/attempt.rs`: one HTTP attempt;
//! - `delivery/worker.rs`: the thread that runs every series of attempts;
//! - `delivery/outgoing.rs`: [`OutgoingWebhook`], what the tamper hook sees.

mod attempt;
mod inbox;
mod log;
mod origins;
mod outgoing;
mod worker;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::body_form::BodyForm;
use super::config::MockConfig;
use super::response::to_bytes;
use crate::mask::Masker;
use crate::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign};

pub use outgoing::OutgoingWebhook;
pub(crate) use outgoing::WebhookKind;

use attempt::{Outcome, Ready, attempt, client};
use inbox::{Inbox, Made, Pushed};
use log::{AttemptRecord, Bounds, Entry, Log, Next, Request, State};
use origins::Origins;
use worker::{Pace, Spawner, Worker};

/// Why a delivery is dropped when the mock stops before its first attempt.
const SHUTTING_DOWN: &str = "dropped: the mock is shutting down";

/// Why a pending delivery is dropped when the mock stops: its attempt may
/// have been under way.
const STOPPED: &str =
    "dropped: the mock is shutting down (an attempt under way may have reached the receiver)";

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
    core: Arc<Core>,
}

/// What [`Deliveries`] holds; the worker's wake-ups see it weakly.
struct Core {
    shared: Arc<Shared>,
    worker: OnceLock<Result<Worker, String>>,
    /// Webhooks made and not yet recorded.
    inbox: Inbox,
    /// Held while recording, so that webhooks enter the log in the order
    /// they were made.
    recording: Mutex<()>,
    /// Deliveries recorded off the worker's thread, oldest first, whose
    /// attempts the worker has yet to start.
    to_start: Mutex<Vec<String>>,
    /// Whether the worker has a drain queued: at most one is, so its queue
    /// stays bounded however long the worker waits for a core.
    drain_queued: AtomicBool,
    /// Whether the webhooks made must be recorded once the store's lock is
    /// released: the inbox holds `max_pending`, or the worker could not
    /// take the first of a batch.
    full: AtomicBool,
    /// When the worker takes a batch; it counts the releases of the session
    /// store's lock (each request that reads or changes a session).
    pace: Pace,
    decision: Option<String>,
    event: Option<String>,
    watchlist: Option<String>,
    api_key: String,
    shared_secret: String,
    body_form: BodyForm,
    tamper: Option<Tamper>,
    closed: AtomicBool,
}

impl Deliveries {
    pub(crate) fn new(config: &MockConfig, tamper: Option<Tamper>) -> Self {
        let webhooks = &config.webhooks;
        let core = Core {
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
            inbox: Inbox::new(webhooks.max_pending),
            recording: Mutex::new(()),
            to_start: Mutex::new(Vec::new()),
            drain_queued: AtomicBool::new(false),
            full: AtomicBool::new(false),
            pace: Pace {
                activity: Arc::default(),
                at_most: webhooks.api_first_for,
                hurry: Arc::default(),
            },
            decision: webhooks.decision.clone(),
            event: webhooks.event.clone(),
            watchlist: webhooks.watchlist.clone(),
            api_key: config.api_key.clone(),
            shared_secret: config.shared_secret.clone(),
            body_form: webhooks.body_form,
            tamper,
            closed: AtomicBool::new(false),
        };
        Self {
            core: Arc::new(core),
        }
    }

    /// Whether webhooks of `kind` are sent at all (a URL is configured).
    pub(crate) fn wants(&self, kind: WebhookKind) -> bool {
        self.core.url(kind).is_some()
    }

    /// Sends the webhook of `kind` about `session_id` whose body `body`
    /// builds, if its URL is configured. Returns at once: the webhook waits,
    /// after every one made before it, for the worker (or the next reader of
    /// the log) to build its body as compact JSON, sign it, run the tamper
    /// hook and record it; then it is delivered in the background. When
    /// [`WebhookConfig::max_pending`](super::WebhookConfig::max_pending)
    /// webhooks wait so, the next [`Deliveries::unlocked`] records them.
    pub(crate) fn send(
        &self,
        kind: WebhookKind,
        session_id: &str,
        body: impl FnOnce() -> Value + Send + 'static,
    ) {
        if !self.wants(kind) {
            return;
        }
        let made = Made {
            kind,
            session_id: session_id.to_owned(),
            at: SystemTime::now(),
            body: Box::new(body),
        };
        match self.core.inbox.push(made) {
            Pushed::More => {}
            Pushed::Half => self.core.pace.hurry.store(true, Ordering::Release),
            // Recorded once the caller's lock is released, when the worker
            // cannot take it.
            Pushed::First if self.core.queue_drain() => {}
            Pushed::First | Pushed::Full => self.core.full.store(true, Ordering::Release),
        }
    }

    /// Counts a release of the session store's lock (the API's work that
    /// webhooks give way to), and records the webhooks made if the inbox
    /// asked for it (or the worker could not take them): for the caller of
    /// [`Deliveries::send`], once it holds no lock of its own.
    pub(crate) fn unlocked(&self) {
        self.core.pace.activity.fetch_add(1, Ordering::Relaxed);
        if self.core.full.load(Ordering::Acquire) && self.core.full.swap(false, Ordering::AcqRel) {
            drop(self.core.record_made(None));
        }
    }

    /// A new series of attempts for the delivery `id`, with the same signed
    /// bytes (through the tamper hook again). Returns the new delivery, as
    /// the log shows it; `None` for an unknown id.
    pub(crate) fn resend(&self, id: &str) -> Option<Vec<u8>> {
        let core = &self.core;
        let recording = core.record_made(None);
        let (kind, session_id, url, signed) = {
            let log = core.shared.log();
            let entry = log.get(id)?;
            (
                entry.kind,
                entry.session_id.clone(),
                entry.url.clone(),
                Arc::clone(&entry.signed),
            )
        };
        let entry = core.entry(kind, session_id, url, signed, Some(id.to_owned()), now());
        let new_id = entry.id.clone();
        core.enter(vec![entry], None);
        drop(recording);
        self.one(&new_id)
    }

    /// The log, oldest delivery first, as masked JSON
    /// `{"deliveries":[...]}`; only those of `session` when given. Every
    /// webhook made before is in it.
    pub(crate) fn list(&self, session: Option<&str>) -> Vec<u8> {
        drop(self.core.record_made(None));
        let deliveries: Vec<Value> = self
            .core
            .shared
            .log()
            .iter()
            .filter(|entry| session.is_none_or(|id| entry.session_id == id))
            .map(Entry::view)
            .collect();
        self.core.masked(&json!({ "deliveries": deliveries }))
    }

    /// One delivery as masked JSON.
    pub(crate) fn one(&self, id: &str) -> Option<Vec<u8>> {
        drop(self.core.record_made(None));
        let view = self.core.shared.log().get(id).map(Entry::view)?;
        Some(self.core.masked(&view))
    }

    /// Stops every delivery and waits until the worker has ended them and
    /// closed their connections. Those still pending are shown as dropped,
    /// and so are later webhooks and those made and not yet recorded.
    pub(crate) async fn shutdown(&self) {
        let core = &self.core;
        core.closed.store(true, Ordering::Release);
        drop(core.record_made(None));
        let dropped = core.shared.log().drop_all_pending(STOPPED);
        if dropped > 0 {
            let (webhooks, were) = if dropped == 1 {
                ("webhook", "was")
            } else {
                ("webhooks", "were")
            };
            core.shared.report(&format!(
                "{dropped} {webhooks} still pending {were} {STOPPED}"
            ));
        }
        if let Some(Ok(worker)) = core.worker.get() {
            worker.stop().await;
        }
    }

    /// Series of attempts running (for tests).
    #[cfg(test)]
    fn running(&self) -> usize {
        match self.core.worker.get() {
            Some(Ok(worker)) => worker.live(),
            _ => 0,
        }
    }
}

impl Core {
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

    /// Has the worker drain the inbox and start what waits to start, unless
    /// a drain is queued already. `false` when the worker cannot (it did not
    /// start, it is stopping, or its thread has ended).
    fn queue_drain(self: &Arc<Self>) -> bool {
        // A drain queued for a thread that has ended will never run.
        if self.drain_queued.swap(true, Ordering::AcqRel)
            && self.worker().is_ok_and(Worker::is_running)
        {
            return true;
        }
        let core = Arc::downgrade(self);
        let queued = match self.worker() {
            Ok(worker) => worker.submit(move |spawner| {
                if let Some(core) = core.upgrade() {
                    core.drain_queued.store(false, Ordering::Release);
                    drop(core.record_made(Some(spawner)));
                }
            }),
            Err(_) => false,
        };
        if !queued {
            self.drain_queued.store(false, Ordering::Release);
        }
        queued
    }

    /// Records every webhook made so far, in order, and starts the attempts
    /// of those pending: on `spawner` when on the worker's thread (with those
    /// recorded elsewhere before), else through a drain of the worker.
    /// Returns the recording lock, still held.
    fn record_made(self: &Arc<Self>, mut spawner: Option<&mut Spawner<'_>>) -> MutexGuard<'_, ()> {
        let recording = self
            .recording
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(spawner) = spawner.as_deref_mut() {
            let waiting = std::mem::take(&mut *self.waiting_to_start());
            start_series(&self.shared, waiting, spawner);
        }
        let made = self.inbox.take();
        self.pace.hurry.store(false, Ordering::Release);
        let entries: Vec<Entry> = made
            .into_iter()
            .filter_map(|made| {
                let url = self.url(made.kind)?.to_owned();
                // A body that cannot be built loses its one webhook.
                let Ok(body) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(made.body))
                else {
                    self.shared.report(&format!(
                        "a {} webhook of session {} was dropped: its body could not be built",
                        made.kind.name(),
                        made.session_id
                    ));
                    return None;
                };
                let bytes = self.body_form.bytes(&body);
                let headers = vec![
                    ("content-type".to_owned(), "application/json".to_owned()),
                    (API_KEY_HEADER.to_owned(), self.api_key.clone()),
                    (
                        SIGNATURE_HEADER.to_owned(),
                        sign(&self.shared_secret, &bytes),
                    ),
                ];
                let signed = Arc::new(Request {
                    headers,
                    body: Bytes::from(bytes),
                });
                Some(self.entry(
                    made.kind,
                    made.session_id,
                    url,
                    signed,
                    None,
                    stamp(made.at),
                ))
            })
            .collect();
        if !entries.is_empty() {
            self.enter(entries, spawner);
        }
        recording
    }

    /// A delivery of `signed` as the log keeps it, through the tamper hook:
    /// pending, or dropped when it cannot be sent.
    fn entry(
        &self,
        kind: WebhookKind,
        session_id: String,
        url: String,
        signed: Arc<Request>,
        resend_of: Option<String>,
        created_at: String,
    ) -> Entry {
        let (sent, panicked, discarded) = match &self.tamper {
            None => (Arc::clone(&signed), false, false),
            Some(tamper) => {
                let mut outgoing = OutgoingWebhook::new(
                    kind,
                    url.clone(),
                    signed.headers.clone(),
                    signed.body.to_vec(),
                );
                // A hook that panics loses its one webhook, not the
                // delivery thread.
                let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    tamper(&mut outgoing)
                }))
                .is_err();
                let (headers, body, discarded) = outgoing.into_parts();
                let sent = Request {
                    headers,
                    body: Bytes::from(body),
                };
                (Arc::new(sent), panicked, discarded)
            }
        };
        let (state, note) = if panicked {
            (
                State::Dropped,
                Some("dropped: the tamper hook panicked".to_owned()),
            )
        } else if discarded {
            (
                State::Dropped,
                Some("dropped: discarded by the tamper hook".to_owned()),
            )
        } else if self.closed.load(Ordering::Acquire) {
            (State::Dropped, Some(SHUTTING_DOWN.to_owned()))
        } else {
            match self.worker() {
                Ok(_) => (State::Pending, None),
                Err(why) => (State::Dropped, Some(format!("dropped: {why}"))),
            }
        };
        Entry {
            id: uuid::Uuid::new_v4().to_string(),
            seq: 0,
            kind,
            session_id,
            url,
            created_at,
            resend_of,
            signed,
            sent,
            state,
            note,
            attempts: Default::default(),
            attempt_count: 0,
            task: None,
        }
    }

    /// Adds `entries` to the log, in order, and starts the attempts of those
    /// still pending (see [`Core::record_made`]).
    fn enter(self: &Arc<Self>, entries: Vec<Entry>, spawner: Option<&mut Spawner<'_>>) {
        let mut notices = Vec::new();
        let mut pending = Vec::new();
        {
            let mut log = self.shared.log();
            for entry in entries {
                if entry.state == State::Pending {
                    pending.push(entry.id.clone());
                }
                notices.extend(log.push(entry));
            }
        }
        for notice in &notices {
            self.shared.report(notice);
        }
        if pending.is_empty() {
            return;
        }
        match spawner {
            Some(spawner) => start_series(&self.shared, pending, spawner),
            None => {
                {
                    // Only the latest `max_pending` can still be pending.
                    let mut waiting = self.waiting_to_start();
                    waiting.extend(pending);
                    let over = waiting.len().saturating_sub(self.inbox.cap());
                    waiting.drain(..over);
                }
                if !self.queue_drain() {
                    let waiting = std::mem::take(&mut *self.waiting_to_start());
                    for id in waiting {
                        if let Some(notice) = self.shared.log().drop_pending(&id, SHUTTING_DOWN) {
                            self.shared.report(&notice);
                        }
                    }
                }
            }
        }
    }

    /// The deliveries recorded and not yet started.
    fn waiting_to_start(&self) -> MutexGuard<'_, Vec<String>> {
        self.to_start.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The delivery worker, started on first use.
    fn worker(&self) -> Result<&Worker, &str> {
        self.worker
            .get_or_init(|| Worker::start(self.pace.clone()))
            .as_ref()
            .map_err(String::as_str)
    }

    fn masked(&self, view: &Value) -> Vec<u8> {
        self.shared.masker.mask_bytes(&to_bytes(view)).into_owned()
    }
}

/// Starts the series of attempts of each delivery of `ids`, in order.
fn start_series(shared: &Arc<Shared>, ids: Vec<String>, spawner: &mut Spawner<'_>) {
    for id in ids {
        let task = spawner.spawn(series(Arc::clone(shared), id.clone()));
        shared.log().set_task(&id, task);
    }
}

/// The attempts of one delivery: the first at once, then one every
/// `retry_every` after the first, while within `retry_for`, until a `200`.
/// The request is made ready once, for every attempt.
async fn series(shared: Arc<Shared>, id: String) {
    let first = Instant::now();
    let Some((url, request)) = shared.log().pending_request(&id) else {
        return;
    };
    let ready = Ready::new(&url, &request).map(|ready| {
        let turns = shared.origins.of(ready.url());
        (ready, turns)
    });
    let mut made: u32 = 0;
    loop {
        let outcome = match (&shared.client, &ready) {
            (Ok(client), Ok((ready, turns))) => {
                let _turn = turns.acquire().await;
                attempt(client, ready, shared.attempt_timeout).await
            }
            (Err(error), _) | (_, Err(error)) => Outcome::Failed(error.clone()),
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
        if !shared.log().is_pending(&id) {
            return;
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
    stamp(SystemTime::now())
}

/// `at` as ISO-8601 UTC with milliseconds.
fn stamp(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
        deliveries.send(WebhookKind::Event, "session", || json!({"id": "session"}));
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

        deliveries.send(WebhookKind::Event, "session", || json!({"id": "later"}));
        assert_eq!(deliveries.running(), 0, "nothing starts after shutdown");
        let log: Value = serde_json::from_slice(&deliveries.list(None)).expect("json");
        assert_eq!(log["deliveries"][1]["state"], "dropped");
    }

    #[tokio::test]
    async fn webhooks_made_are_in_the_log_in_the_order_made_signed_over_their_bytes() {
        let (config, deliveries) = to_nowhere(3);
        let release = block_worker(&deliveries);
        // More than max_pending: the first three are recorded once the
        // caller says its lock is released, the rest by the log's reader.
        send_events(&deliveries, 0..3);
        deliveries.unlocked();
        send_events(&deliveries, 3..5);
        let log: Value = serde_json::from_slice(&deliveries.list(None)).expect("json");
        let entries = log["deliveries"].as_array().expect("deliveries");
        let bodies: Vec<&str> = entries
            .iter()
            .map(|e| e["body"].as_str().expect("body"))
            .collect();
        assert_eq!(
            bodies,
            [
                r#"{"n":0}"#,
                r#"{"n":1}"#,
                r#"{"n":2}"#,
                r#"{"n":3}"#,
                r#"{"n":4}"#
            ]
        );
        for entry in entries {
            let body = entry["body"].as_str().expect("body");
            let signature = &entry["headers"][2];
            assert_eq!(signature[0], SIGNATURE_HEADER);
            assert_eq!(
                signature[1],
                sign(&config.shared_secret, body.as_bytes()).as_str()
            );
        }
        drop(release);
        deliveries.shutdown().await;
    }

    #[tokio::test]
    async fn webhooks_queued_for_a_worker_whose_thread_ended_are_dropped_not_left_pending() {
        let (_, deliveries) = to_nowhere(WebhookConfig::default().max_pending);
        let worker = deliveries.core.worker().expect("worker");
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        assert!(worker.submit(move |_| {
            let _ = blocked.recv();
            panic!("the delivery thread ends here, on purpose");
        }));
        // Its drain is queued behind the job that ends the thread.
        send_events(&deliveries, 0..1);
        drop(release);
        let started = std::time::Instant::now();
        while worker.is_running() {
            assert!(started.elapsed() < Duration::from_secs(30), "still running");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        send_events(&deliveries, 1..2);
        assert_eq!(states(&deliveries), ["dropped", "dropped"]);
        deliveries.shutdown().await;
    }

    #[tokio::test]
    async fn half_of_max_pending_waiting_hurries_the_worker_until_they_are_taken() {
        let (_, deliveries) = to_nowhere(6);
        let release = block_worker(&deliveries);
        let hurried = || deliveries.core.pace.hurry.load(Ordering::Acquire);
        send_events(&deliveries, 0..2);
        assert!(!hurried());
        send_events(&deliveries, 2..3);
        assert!(hurried(), "three of six wait");
        drop(deliveries.list(None));
        assert!(!hurried(), "taken");
        drop(release);
        deliveries.shutdown().await;
    }

    /// Deliveries of event webhooks to a port that refuses connections,
    /// retried hourly, at most `max_pending` pending; and their config.
    fn to_nowhere(max_pending: usize) -> (MockConfig, Deliveries) {
        let config = MockConfig {
            webhooks: WebhookConfig {
                event: Some("http://127.0.0.1:9/".into()),
                max_pending,
                attempt_timeout: Duration::from_secs(3_600),
                retry_every: Duration::from_secs(3_600),
                ..WebhookConfig::default()
            },
            ..MockConfig::generated()
        };
        let deliveries = Deliveries::new(&config, None);
        (config, deliveries)
    }

    /// Sends an event webhook `{"n": n}` for each `n` of `range`.
    fn send_events(deliveries: &Deliveries, range: std::ops::Range<u64>) {
        for n in range {
            deliveries.send(WebhookKind::Event, "s", move || json!({ "n": n }));
        }
    }

    /// The state of each delivery in the log, oldest first.
    fn states(deliveries: &Deliveries) -> Vec<String> {
        let log: Value = serde_json::from_slice(&deliveries.list(None)).expect("json");
        log["deliveries"]
            .as_array()
            .expect("deliveries")
            .iter()
            .map(|entry| entry["state"].as_str().expect("state").to_owned())
            .collect()
    }

    /// Blocks the worker's thread until the sender is dropped or sends.
    fn block_worker(deliveries: &Deliveries) -> std::sync::mpsc::Sender<()> {
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        let worker = deliveries.core.worker().expect("worker");
        assert!(worker.submit(move |_| {
            let _ = blocked.recv();
        }));
        release
    }

    fn logged(deliveries: &Deliveries) -> usize {
        deliveries.core.shared.log().iter().count()
    }

    #[tokio::test]
    async fn a_full_inbox_is_recorded_only_once_the_caller_releases_its_lock() {
        let (_, deliveries) = to_nowhere(3);
        let release = block_worker(&deliveries);
        send_events(&deliveries, 0..3);
        assert_eq!(logged(&deliveries), 0, "nothing recorded while sending");
        deliveries.unlocked();
        assert_eq!(logged(&deliveries), 3, "the caller records a full inbox");
        deliveries.unlocked();
        assert_eq!(logged(&deliveries), 3);
        drop(release);
        deliveries.shutdown().await;
    }

    #[tokio::test]
    async fn a_worker_without_a_core_gets_one_drain_however_many_webhooks_wait() {
        let (_, deliveries) = to_nowhere(10_000);
        let release = block_worker(&deliveries);
        for n in 0..500 {
            send_events(&deliveries, n..n + 1);
            if n % 10 == 9 {
                // Reading the log records what waits; the next webhook
                // finds the inbox empty again.
                drop(deliveries.list(None));
            }
        }
        deliveries.unlocked();
        let worker = deliveries.core.worker().expect("worker");
        assert_eq!(worker.submitted(), 2, "the blocking job and one drain");
        assert_eq!(logged(&deliveries), 500);
        release.send(()).expect("released");
        let started = std::time::Instant::now();
        while deliveries.running() < 500 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "only {} of 500 series started",
                deliveries.running()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        deliveries.shutdown().await;
        assert_eq!(
            states(&deliveries),
            vec!["dropped"; 500],
            "none is left pending after shutdown"
        );
    }

    #[tokio::test]
    async fn webhooks_of_kinds_without_a_url_are_not_recorded() {
        let deliveries = Deliveries::new(&MockConfig::generated(), None);
        assert!(!deliveries.wants(WebhookKind::Decision));
        deliveries.send(WebhookKind::Decision, "s", || json!({}));
        assert_eq!(deliveries.list(None), br#"{"deliveries":[]}"#);
    }
}
