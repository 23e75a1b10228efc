//! The webhooks made and not yet recorded: what an API request leaves for
//! the delivery worker, in the order the webhooks were made. Making one is
//! cheap (its facts, no body yet); the worker, or whoever reads the log
//! first, builds, signs and records them all at once.

use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde_json::Value;

use super::outgoing::WebhookKind;

/// Builds a webhook's body from the facts captured when it was made.
pub(super) type MakeBody = Box<dyn FnOnce() -> Value + Send>;

/// One webhook as made: no body built, nothing signed yet.
pub(super) struct Made {
    pub(super) kind: WebhookKind,
    pub(super) session_id: String,
    /// When it was made (the log's `createdAt`).
    pub(super) at: SystemTime,
    pub(super) body: MakeBody,
}

/// What [`Inbox::push`] asks of its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pushed {
    /// The inbox was empty: have the worker take the batch (one drain is
    /// queued at most).
    First,
    /// The worker is already due to take it.
    More,
    /// Half as many as may be pending wait: the worker should take them
    /// without waiting for the API to be idle.
    Half,
    /// The inbox holds as many as may be pending: the caller records them
    /// once it has released its own locks.
    Full,
}

/// Webhooks made, oldest first. At `cap` the caller is asked to record them
/// itself; a few more may arrive before it does (a change can make up to
/// three webhooks, and other threads may push meanwhile).
pub(super) struct Inbox {
    made: Mutex<Vec<Made>>,
    cap: usize,
}

impl Inbox {
    /// An inbox asking to be recorded at `cap` webhooks (at least 1).
    pub(super) fn new(cap: usize) -> Self {
        Self {
            made: Mutex::new(Vec::new()),
            cap: cap.max(1),
        }
    }

    /// Adds `made` after every webhook made before it.
    pub(super) fn push(&self, made: Made) -> Pushed {
        let mut all = self.made.lock().unwrap_or_else(PoisonError::into_inner);
        all.push(made);
        if all.len() >= self.cap {
            Pushed::Full
        } else if all.len() == 1 {
            Pushed::First
        } else if all.len() == self.cap.div_ceil(2) {
            Pushed::Half
        } else {
            Pushed::More
        }
    }

    /// How many may wait before the caller is asked to record them.
    pub(super) fn cap(&self) -> usize {
        self.cap
    }

    /// Every webhook made so far, oldest first, leaving the inbox empty.
    pub(super) fn take(&self) -> Vec<Made> {
        std::mem::take(&mut *self.made.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn made(n: u64) -> Made {
        Made {
            kind: WebhookKind::Event,
            session_id: n.to_string(),
            at: SystemTime::now(),
            body: Box::new(move || json!(n)),
        }
    }

    #[test]
    fn the_first_webhook_of_a_batch_wakes_half_full_hurries_and_full_asks_to_be_recorded() {
        let inbox = Inbox::new(6);
        assert_eq!(inbox.push(made(0)), Pushed::First);
        assert_eq!(inbox.push(made(1)), Pushed::More);
        assert_eq!(inbox.push(made(2)), Pushed::Half);
        assert_eq!(inbox.push(made(3)), Pushed::More);
        assert_eq!(inbox.push(made(4)), Pushed::More);
        assert_eq!(inbox.push(made(5)), Pushed::Full);
        let taken: Vec<Value> = inbox.take().into_iter().map(|m| (m.body)()).collect();
        assert_eq!(
            taken,
            [json!(0), json!(1), json!(2), json!(3), json!(4), json!(5)],
            "oldest first"
        );
        assert!(inbox.take().is_empty());
        assert_eq!(
            inbox.push(made(3)),
            Pushed::First,
            "a new batch wakes again"
        );
    }
}
