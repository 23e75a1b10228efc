//! The delivery log: every delivery with its request, state and latest
//! attempts, bounded in entries, in pending deliveries and in pending bytes.
//! Pure bookkeeping: no I/O, no clock beyond time stamps.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::task::AbortHandle;

use super::outgoing::WebhookKind;

/// Attempts kept per delivery (the latest ones); older ones are only counted.
pub(super) const KEPT_ATTEMPTS: usize = 10;

/// What a delivery sends.
#[derive(Clone, Debug)]
pub(super) struct Request {
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Bytes,
}

impl Request {
    /// Bytes it holds, as counted against the pending budget.
    pub(super) fn size(&self) -> usize {
        self.body.len()
            + self
                .headers
                .iter()
                .map(|(name, value)| name.len() + value.len())
                .sum::<usize>()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Pending,
    Delivered,
    GivenUp,
    Dropped,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Delivered => "delivered",
            State::GivenUp => "given_up",
            State::Dropped => "dropped",
        }
    }
}

/// One attempt: when, and the status or the error, with the start of the answer.
#[derive(Clone, Debug)]
pub(super) struct AttemptRecord {
    pub(super) at: String,
    pub(super) status: Option<u16>,
    pub(super) error: Option<String>,
    pub(super) answer: String,
}

/// One delivery: a webhook and its series of attempts.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) id: String,
    /// Its place in the log: larger for later entries (set by [`Log::push`]).
    pub(super) seq: u64,
    pub(super) kind: WebhookKind,
    pub(super) session_id: String,
    pub(super) url: String,
    pub(super) created_at: String,
    pub(super) resend_of: Option<String>,
    /// As signed, before the tamper hook: what a resend starts from.
    pub(super) signed: Arc<Request>,
    /// What each attempt sends (the same as `signed` without a hook).
    pub(super) sent: Arc<Request>,
    pub(super) state: State,
    /// Why it was dropped or given up.
    pub(super) note: Option<String>,
    pub(super) attempts: VecDeque<AttemptRecord>,
    pub(super) attempt_count: u32,
    pub(super) task: Option<AbortHandle>,
}

impl Entry {
    /// The log's view of it (the body as text; masking is the caller's).
    pub(super) fn view(&self) -> Value {
        let attempts: Vec<Value> = self
            .attempts
            .iter()
            .map(|attempt| {
                json!({
                    "at": attempt.at,
                    "status": attempt.status,
                    "error": attempt.error,
                    "answer": attempt.answer,
                })
            })
            .collect();
        let headers: Vec<Value> = self
            .sent
            .headers
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect();
        json!({
            "id": self.id,
            "type": self.kind.name(),
            "sessionId": self.session_id,
            "url": self.url,
            "state": self.state.as_str(),
            "note": self.note,
            "createdAt": self.created_at,
            "resendOf": self.resend_of,
            "headers": headers,
            "body": String::from_utf8_lossy(&self.sent.body),
            "attemptCount": self.attempt_count,
            "attempts": attempts,
        })
    }

    fn bytes(&self) -> usize {
        self.sent.size()
    }

    /// Leaves `Pending` for `state`, stopping its attempts.
    fn finish(&mut self, state: State, note: Option<String>) {
        self.state = state;
        self.note = note;
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// One line for the mock's standard error.
    fn notice(&self, what: &str) -> String {
        format!(
            "webhook {} ({} of session {}, to {}) {what}",
            self.id,
            self.kind.name(),
            self.session_id,
            self.url
        )
    }
}

/// The bounds of the log.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bounds {
    pub(super) max_pending: usize,
    pub(super) max_pending_bytes: usize,
    pub(super) max_log: usize,
}

/// What the next step of a delivery's series is, after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// Delivered, given up, or no longer pending: the series ends.
    Stop,
    Retry,
}

pub(super) struct Log {
    /// Oldest first, so in increasing `seq`.
    entries: VecDeque<Entry>,
    /// The `seq` of each entry, by id: a lookup is a hash and a binary search,
    /// not a scan of the log.
    index: HashMap<String, u64>,
    next_seq: u64,
    pending: usize,
    pending_bytes: usize,
    bounds: Bounds,
}

impl Log {
    pub(super) fn new(bounds: Bounds) -> Self {
        Self {
            entries: VecDeque::new(),
            index: HashMap::new(),
            next_seq: 0,
            pending: 0,
            pending_bytes: 0,
            bounds: Bounds {
                max_pending: bounds.max_pending.max(1),
                max_log: bounds.max_log.max(1),
                ..bounds
            },
        }
    }

    /// Adds a delivery (pending or already dropped), making room first: the
    /// oldest pending deliveries are dropped while the pending bounds are
    /// exceeded, and the oldest finished entries (else the oldest) are
    /// forgotten beyond `max_log`. A pending delivery larger than the whole
    /// pending budget is dropped itself. Returns lines for standard error.
    pub(super) fn push(&mut self, mut entry: Entry) -> Vec<String> {
        let mut notices = Vec::new();
        if entry.state == State::Pending {
            if entry.bytes() > self.bounds.max_pending_bytes {
                let why = format!(
                    "is larger than the pending budget ({} bytes)",
                    self.bounds.max_pending_bytes
                );
                notices.push(entry.notice(&format!("dropped: it {why}")));
                entry.finish(State::Dropped, Some(format!("dropped: it {why}")));
            } else {
                while self.pending >= self.bounds.max_pending
                    || self.pending_bytes + entry.bytes() > self.bounds.max_pending_bytes
                {
                    let Some(oldest) = self.entries.iter_mut().find(|e| e.state == State::Pending)
                    else {
                        break;
                    };
                    let why =
                        "dropped: too many webhooks pending (the oldest pending one makes room)";
                    notices.push(oldest.notice(why));
                    let bytes = oldest.bytes();
                    oldest.finish(State::Dropped, Some(why.to_owned()));
                    self.pending -= 1;
                    self.pending_bytes -= bytes;
                }
                self.pending += 1;
                self.pending_bytes += entry.bytes();
            }
        }
        entry.seq = self.next_seq;
        self.next_seq += 1;
        self.index.insert(entry.id.clone(), entry.seq);
        self.entries.push_back(entry);
        while self.entries.len() > self.bounds.max_log {
            let at = self
                .entries
                .iter()
                .position(|e| e.state != State::Pending)
                .unwrap_or(0);
            let Some(mut gone) = self.entries.remove(at) else {
                break;
            };
            self.index.remove(&gone.id);
            if gone.state == State::Pending {
                notices.push(gone.notice("dropped: the delivery log is full"));
                self.pending -= 1;
                self.pending_bytes -= gone.bytes();
                gone.finish(State::Dropped, None);
            }
        }
        notices
    }

    pub(super) fn get(&self, id: &str) -> Option<&Entry> {
        let at = self.position(id)?;
        self.entries.get(at)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        let at = self.position(id)?;
        self.entries.get_mut(at)
    }

    fn position(&self, id: &str) -> Option<usize> {
        let seq = *self.index.get(id)?;
        self.entries.binary_search_by_key(&seq, |e| e.seq).ok()
    }

    /// Every entry, oldest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Keeps the handle of the task sending `id`, so that a drop can stop it.
    pub(super) fn set_task(&mut self, id: &str, task: AbortHandle) {
        match self.get_mut(id) {
            Some(entry) if entry.state == State::Pending => entry.task = Some(task),
            _ => task.abort(),
        }
    }

    /// What to send for `id`, while it is pending.
    pub(super) fn pending_request(&self, id: &str) -> Option<(String, Arc<Request>)> {
        self.get(id)
            .filter(|e| e.state == State::Pending)
            .map(|e| (e.url.clone(), Arc::clone(&e.sent)))
    }

    /// Whether `id` is still pending.
    pub(super) fn is_pending(&self, id: &str) -> bool {
        self.get(id).is_some_and(|e| e.state == State::Pending)
    }

    /// Records an attempt of `id`: a 200 delivers it; otherwise it is retried,
    /// or given up when `last`. Returns the next step and, when given up, a
    /// line for standard error.
    pub(super) fn record(
        &mut self,
        id: &str,
        attempt: AttemptRecord,
        last: bool,
    ) -> (Next, Option<String>) {
        let Some(entry) = self.get_mut(id).filter(|e| e.state == State::Pending) else {
            return (Next::Stop, None);
        };
        let delivered = attempt.status == Some(200);
        entry.attempt_count = entry.attempt_count.saturating_add(1);
        if entry.attempts.len() == KEPT_ATTEMPTS {
            entry.attempts.pop_front();
        }
        entry.attempts.push_back(attempt);
        let (next, notice) = if delivered {
            entry.task = None;
            entry.state = State::Delivered;
            (Next::Stop, None)
        } else if last {
            let why = format!("given up after {} attempts", entry.attempt_count);
            let notice = entry.notice(&why);
            entry.task = None;
            entry.state = State::GivenUp;
            entry.note = Some(why);
            (Next::Stop, Some(notice))
        } else {
            (Next::Retry, None)
        };
        if next == Next::Stop {
            let bytes = entry.bytes();
            self.pending -= 1;
            self.pending_bytes -= bytes;
        }
        (next, notice)
    }

    /// Drops `id` if it is still pending, for `why`; returns a line for
    /// standard error.
    pub(super) fn drop_pending(&mut self, id: &str, why: &str) -> Option<String> {
        let entry = self.get_mut(id).filter(|e| e.state == State::Pending)?;
        let notice = entry.notice(why);
        let bytes = entry.bytes();
        entry.finish(State::Dropped, Some(why.to_owned()));
        self.pending -= 1;
        self.pending_bytes -= bytes;
        Some(notice)
    }

    /// Drops every pending delivery, for `why`, and stops its task (the
    /// mock is shutting down). Returns how many were pending.
    pub(super) fn drop_all_pending(&mut self, why: &str) -> usize {
        let mut dropped = 0;
        for entry in &mut self.entries {
            if entry.state == State::Pending {
                entry.finish(State::Dropped, Some(why.to_owned()));
                dropped += 1;
            }
        }
        self.pending = 0;
        self.pending_bytes = 0;
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, body: &str, state: State) -> Entry {
        let request = Arc::new(Request {
            headers: Vec::new(),
            body: Bytes::from(body.to_owned()),
        });
        Entry {
            id: id.into(),
            seq: 0,
            kind: WebhookKind::Event,
            session_id: "s".into(),
            url: "http://127.0.0.1:9/".into(),
            created_at: "t".into(),
            resend_of: None,
            signed: request.clone(),
            sent: request,
            state,
            note: None,
            attempts: VecDeque::new(),
            attempt_count: 0,
            task: None,
        }
    }

    fn attempt(status: Option<u16>) -> AttemptRecord {
        AttemptRecord {
            at: "t".into(),
            status,
            error: None,
            answer: String::new(),
        }
    }

    fn log(max_pending: usize, max_pending_bytes: usize, max_log: usize) -> Log {
        Log::new(Bounds {
            max_pending,
            max_pending_bytes,
            max_log,
        })
    }

    fn states(log: &Log) -> Vec<(String, State)> {
        log.iter().map(|e| (e.id.clone(), e.state)).collect()
    }

    #[test]
    fn past_max_pending_the_oldest_pending_delivery_is_dropped_and_reported() {
        let mut log = log(2, 1_000, 10);
        assert!(log.push(entry("a", "{}", State::Pending)).is_empty());
        assert!(log.push(entry("b", "{}", State::Pending)).is_empty());
        let notices = log.push(entry("c", "{}", State::Pending));
        assert_eq!(notices.len(), 1);
        assert!(
            notices[0].starts_with("webhook a (event of session s"),
            "{notices:?}"
        );
        assert_eq!(
            states(&log),
            [
                ("a".into(), State::Dropped),
                ("b".into(), State::Pending),
                ("c".into(), State::Pending)
            ]
        );
    }

    #[test]
    fn pending_bytes_are_bounded_and_an_oversized_delivery_is_dropped_itself() {
        let mut log = log(10, 10, 10);
        log.push(entry("a", "123456", State::Pending));
        log.push(entry("b", "123456", State::Pending));
        assert_eq!(log.iter().next().map(|e| e.state), Some(State::Dropped));
        let notices = log.push(entry("huge", "12345678901", State::Pending));
        assert_eq!(notices.len(), 1);
        assert_eq!(log.get("huge").map(|e| e.state), Some(State::Dropped));
        assert_eq!(log.get("b").map(|e| e.state), Some(State::Pending));
    }

    #[test]
    fn the_log_forgets_finished_deliveries_before_pending_ones() {
        let mut log = log(10, 1_000, 2);
        log.push(entry("p", "{}", State::Pending));
        log.push(entry("done", "{}", State::Dropped));
        log.push(entry("new", "{}", State::Pending));
        assert_eq!(
            states(&log),
            [("p".into(), State::Pending), ("new".into(), State::Pending)]
        );
        let notices = log.push(entry("newer", "{}", State::Pending));
        assert_eq!(notices.len(), 1, "the pending one forgotten is reported");
        assert_eq!(log.pending, 2);
    }

    #[test]
    fn only_a_200_delivers_and_the_last_failure_gives_up() {
        let mut log = log(10, 1_000, 10);
        log.push(entry("a", "{}", State::Pending));
        assert_eq!(
            log.record("a", attempt(Some(201)), false),
            (Next::Retry, None)
        );
        assert_eq!(log.record("a", attempt(None), false), (Next::Retry, None));
        let (next, notice) = log.record("a", attempt(Some(500)), true);
        assert_eq!(next, Next::Stop);
        assert!(notice.is_some_and(|n| n.contains("given up after 3 attempts")));
        assert_eq!(log.get("a").map(|e| e.state), Some(State::GivenUp));
        log.push(entry("b", "{}", State::Pending));
        assert_eq!(log.record("b", attempt(Some(200)), false).0, Next::Stop);
        assert_eq!(log.get("b").map(|e| e.state), Some(State::Delivered));
        assert_eq!((log.pending, log.pending_bytes), (0, 0));
    }

    #[test]
    fn entries_are_found_by_id_after_others_are_forgotten_from_the_middle() {
        let mut log = log(10, 1_000, 3);
        log.push(entry("p1", "{}", State::Pending));
        log.push(entry("done", "{}", State::Delivered));
        log.push(entry("p2", "{}", State::Pending));
        log.push(entry("p3", "{}", State::Pending));
        assert!(log.get("done").is_none(), "the finished one is forgotten");
        for id in ["p1", "p2", "p3"] {
            assert_eq!(log.get(id).map(|e| e.id.as_str()), Some(id));
        }
        assert_eq!(log.record("p2", attempt(Some(200)), false).0, Next::Stop);
        assert_eq!(log.get("p2").map(|e| e.state), Some(State::Delivered));
        log.push(entry("p4", "{}", State::Pending));
        assert!(log.get("p2").is_none());
        assert_eq!(log.get("p4").map(|e| e.state), Some(State::Pending));
        assert_eq!(log.get("p1").map(|e| e.state), Some(State::Pending));
    }

    #[test]
    fn only_the_latest_attempts_are_kept_but_all_are_counted() {
        let mut log = log(10, 1_000, 10);
        log.push(entry("a", "{}", State::Pending));
        for _ in 0..KEPT_ATTEMPTS + 5 {
            log.record("a", attempt(Some(500)), false);
        }
        let kept = log.get("a").expect("kept");
        assert_eq!(kept.attempts.len(), KEPT_ATTEMPTS);
        assert_eq!(kept.attempt_count as usize, KEPT_ATTEMPTS + 5);
    }
}
