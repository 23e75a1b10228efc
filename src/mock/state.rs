//! In-memory session store. One `std::sync::Mutex` guards everything and is
//! never held across an `.await`, so every check-and-set is atomic.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Session statuses the mock can reach (api notes: "Session lifecycle").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Started,
    Submitted,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Started => "started",
            Status::Submitted => "submitted",
        }
    }
}

/// A snapshot of one session.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) status: Status,
    pub(crate) vendor_data: Option<String>,
    pub(crate) session_token: String,
}

/// Why a state change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    NotFound,
    AlreadySubmitted,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    by_token: HashMap<String, String>,
    /// Session ids, oldest first.
    order: VecDeque<String>,
}

pub(crate) struct Store {
    inner: Mutex<Inner>,
    max_sessions: usize,
}

impl Store {
    pub(crate) fn new(max_sessions: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_sessions: max_sessions.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // No code panics while holding the lock; if one ever did, the data is
        // still consistent enough for a mock, so recover instead of panicking.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates a `created` session, dropping the oldest ones beyond the cap.
    pub(crate) fn create(&self, vendor_data: Option<String>) -> Session {
        let session = Session {
            id: uuid::Uuid::new_v4().to_string(),
            status: Status::Created,
            vendor_data,
            session_token: new_token(),
        };
        let mut inner = self.lock();
        while inner.order.len() >= self.max_sessions {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(old) = inner.sessions.remove(&oldest) {
                inner.by_token.remove(&old.session_token);
            }
        }
        inner.order.push_back(session.id.clone());
        inner
            .by_token
            .insert(session.session_token.clone(), session.id.clone());
        inner.sessions.insert(session.id.clone(), session.clone());
        session
    }

    pub(crate) fn get(&self, id: &str) -> Option<Session> {
        self.lock().sessions.get(id).cloned()
    }

    /// The end user opened the session URL: `created` becomes `started`; other
    /// statuses stay. With `transition == false` only looks the session up.
    pub(crate) fn open(&self, token: &str, transition: bool) -> Option<Session> {
        let mut inner = self.lock();
        let id = inner.by_token.get(token)?.clone();
        let session = inner.sessions.get_mut(&id)?;
        if transition && session.status == Status::Created {
            session.status = Status::Started;
        }
        Some(session.clone())
    }

    /// Submits a `created` or `started` session (endpoint page: "Session must be
    /// in created or started status"; "cannot be updated after it has been
    /// submitted"). Check and set happen under one lock.
    pub(crate) fn submit(&self, id: &str) -> Result<Session, Refusal> {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(id).ok_or(Refusal::NotFound)?;
        match session.status {
            Status::Created | Status::Started => {
                session.status = Status::Submitted;
                Ok(session.clone())
            }
            Status::Submitted => Err(Refusal::AlreadySubmitted),
        }
    }

    /// Whether media may still be added (endpoint page: media after submit may
    /// get "409 - conflict").
    pub(crate) fn accepts_media(&self, id: &str) -> Result<Session, Refusal> {
        let inner = self.lock();
        let session = inner.sessions.get(id).ok_or(Refusal::NotFound)?;
        match session.status {
            Status::Created | Status::Started => Ok(session.clone()),
            Status::Submitted => Err(Refusal::AlreadySubmitted),
        }
    }
}

/// A random session token: 64 lowercase hex characters from two UUID v4s.
fn new_token() -> String {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_drops_the_oldest_session_and_its_token() {
        let store = Store::new(2);
        let a = store.create(None);
        let b = store.create(None);
        let c = store.create(None);
        assert!(store.get(&a.id).is_none());
        assert!(store.open(&a.session_token, false).is_none());
        assert!(store.get(&b.id).is_some());
        assert!(store.get(&c.id).is_some());
    }

    #[test]
    fn a_zero_cap_keeps_the_newest_session() {
        let store = Store::new(0);
        store.create(None);
        let b = store.create(None);
        assert!(store.get(&b.id).is_some());
    }

    #[test]
    fn opening_moves_only_created_to_started() {
        let store = Store::new(10);
        let s = store.create(None);
        assert_eq!(
            store.open(&s.session_token, false).map(|s| s.status),
            Some(Status::Created)
        );
        assert_eq!(
            store.open(&s.session_token, true).map(|s| s.status),
            Some(Status::Started)
        );
        assert!(store.submit(&s.id).is_ok());
        assert_eq!(
            store.open(&s.session_token, true).map(|s| s.status),
            Some(Status::Submitted)
        );
        assert_eq!(store.submit(&s.id).err(), Some(Refusal::AlreadySubmitted));
    }
}
