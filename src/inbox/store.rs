//! The store of webhooks that arrived: bounded (the oldest is dropped when it
//! is full), shared by the receiver and every step that awaits a webhook.
//! Waiters are woken on each arrival through a watch channel, so that a
//! waiter never sleeps past an arrival and never polls.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::Value;
use tokio::sync::watch;

use super::kind::WebhookKind;

/// How many webhooks an inbox holds by default; the oldest is dropped for a newer one.
pub const DEFAULT_INBOX_CAPACITY: usize = 1000;

/// One webhook as it arrived.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Its place in the order of arrival, from 1; never reused.
    pub seq: u64,
    /// Its type, told apart by the payload's shape.
    pub kind: WebhookKind,
    /// Its session id (`verification.id`, `id` or `sessionId`), if the payload has one.
    pub session: Option<String>,
    /// The path (and query) it was posted to.
    pub path: String,
    /// Its headers in the order received; names in lower case.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes (what the signature is over).
    pub body: Vec<u8>,
    /// When it arrived.
    pub received_at: SystemTime,
}

impl Webhook {
    /// A webhook from what was posted; its type and session are read from
    /// the body. `seq` is set when it is put in an [`Inbox`].
    ///
    /// ```
    /// use veriff_conformance::{Webhook, WebhookKind};
    ///
    /// let w = Webhook::new("/hooks", vec![("X-Auth-Client".into(), "k".into())], br#"{"id":"s","action":"started"}"#.to_vec());
    /// assert_eq!((w.kind, w.session.as_deref()), (WebhookKind::Event, Some("s")));
    /// assert_eq!(w.headers[0].0, "x-auth-client");
    /// ```
    pub fn new(path: impl Into<String>, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let (kind, session) = match serde_json::from_slice::<Value>(&body) {
            Ok(json) => WebhookKind::of(&json),
            Err(_) => (WebhookKind::Unknown, None),
        };
        Webhook {
            seq: 0,
            kind,
            session,
            path: path.into(),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
            body,
            received_at: SystemTime::now(),
        }
    }

    /// Whether it is of `kind` for session `session`.
    pub fn is(&self, kind: WebhookKind, session: &str) -> bool {
        self.kind == kind && self.session.as_deref() == Some(session)
    }
}

/// What an inbox holds.
#[derive(Debug, Default)]
struct Held {
    webhooks: VecDeque<Arc<Webhook>>,
    received: u64,
    dropped: u64,
}

#[derive(Debug)]
struct Shared {
    held: Mutex<Held>,
    capacity: usize,
    arrivals: watch::Sender<u64>,
}

/// The webhooks that arrived, at most `capacity` of them (the oldest is
/// dropped for a newer one). Clones share one store.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use veriff_conformance::{Inbox, Webhook, WebhookKind};
///
/// let inbox = Inbox::new(2);
/// let mut arrivals = inbox.subscribe();
/// let waiter = tokio::spawn({
///     let inbox = inbox.clone();
///     async move {
///         // Woken on arrival; no polling.
///         arrivals.changed().await.unwrap();
///         inbox.after(0).len()
///     }
/// });
/// inbox.push(Webhook::new("/", vec![], br#"{"id":"s","action":"started"}"#.to_vec()));
/// assert_eq!(waiter.await.unwrap(), 1);
/// for _ in 0..2 {
///     inbox.push(Webhook::new("/", vec![], b"{}".to_vec()));
/// }
/// // Two held, the oldest dropped.
/// let held = inbox.after(0);
/// assert_eq!(held.iter().map(|w| w.seq).collect::<Vec<_>>(), [2, 3]);
/// assert_eq!((inbox.received(), inbox.dropped()), (3, 1));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Inbox {
    shared: Arc<Shared>,
}

impl Default for Inbox {
    fn default() -> Self {
        Inbox::new(DEFAULT_INBOX_CAPACITY)
    }
}

impl Inbox {
    /// An empty inbox holding at most `capacity` webhooks (at least one).
    pub fn new(capacity: usize) -> Self {
        Inbox {
            shared: Arc::new(Shared {
                held: Mutex::new(Held::default()),
                capacity: capacity.max(1),
                arrivals: watch::Sender::new(0),
            }),
        }
    }

    fn held(&self) -> MutexGuard<'_, Held> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.shared
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps `webhook`, numbered after the last one, and wakes every waiter.
    /// Returns its number.
    pub fn push(&self, mut webhook: Webhook) -> u64 {
        let seq = {
            let mut held = self.held();
            held.received += 1;
            webhook.seq = held.received;
            if held.webhooks.len() == self.shared.capacity {
                held.webhooks.pop_front();
                held.dropped += 1;
            }
            held.webhooks.push_back(Arc::new(webhook));
            held.received
        };
        self.shared.arrivals.send_replace(seq);
        seq
    }

    /// A receiver that sees a change at each arrival after this call: read
    /// the inbox after marking the change seen (`borrow_and_update`), and no
    /// arrival goes unnoticed.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.shared.arrivals.subscribe()
    }

    /// How many are subscribed to arrivals now: the steps waiting for a webhook.
    pub fn waiters(&self) -> usize {
        self.shared.arrivals.receiver_count()
    }

    /// The webhooks held that arrived after number `seq`, oldest first.
    pub fn after(&self, seq: u64) -> Vec<Arc<Webhook>> {
        self.held()
            .webhooks
            .iter()
            .filter(|w| w.seq > seq)
            .cloned()
            .collect()
    }

    /// How many webhooks arrived in all.
    pub fn received(&self) -> u64 {
        self.held().received
    }

    /// How many were dropped to keep within the capacity.
    pub fn dropped(&self) -> u64 {
        self.held().dropped
    }

    /// The most webhooks held at once.
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }
}
