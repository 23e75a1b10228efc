//! The changes of state that the outside world hears about (as webhooks),
//! and the outbox the store tells them to. The store calls its outbox while
//! it still holds its lock, so changes are told in the order they happen.

use super::session::Session;

/// A change of one session that is worth a webhook.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Change<'a> {
    /// An attempt started: the end user opened the session URL of a
    /// `created` session, or of one sent back for resubmission.
    Started(&'a Session),
    /// The session was submitted.
    Submitted(&'a Session),
    /// A decision was made (`session.decision` holds it).
    Decided(&'a Session),
}

/// Where the store tells its changes.
pub(crate) trait Outbox: Send + Sync {
    /// Called with the store locked: it must not block, nor call back into
    /// the store.
    fn tell(&self, change: Change<'_>);

    /// Called each time the store's lock is released, for work that must
    /// not hold it up.
    fn unlocked(&self) {}
}
