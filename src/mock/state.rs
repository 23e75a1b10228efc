//! In-memory store of sessions, their attempts, decisions and media. One
//! `std::sync::Mutex` guards everything and is never held across an `.await`,
//! so every check-and-set is atomic (a delete and an upload of one session
//! never interleave).
//!
//! The rules live beside the store: [`lifecycle`] (statuses, transitions, the
//! decision trick), [`session`] (what a transition changes in a session),
//! [`media`] (media within their bounds) and [`events`] (the changes told to
//! an outbox, which sends them as webhooks).

mod events;
mod lifecycle;
mod media;
mod session;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;

pub(crate) use events::{Change, Outbox};
pub(crate) use lifecycle::{Status, Trick};
pub(crate) use media::{Medium, Upload};
pub(crate) use session::{InitData, NewSession, Session};

use media::MediaStore;

/// Why a state change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    NotFound,
    /// Submitted (or decided after a submit): no more media or submits.
    AlreadySubmitted,
    /// The session cannot move to this status from where it is.
    CannotTransition(Status),
    NotDeletable,
    /// The medium alone is larger than the media budget.
    TooLarge,
}

struct Inner {
    sessions: HashMap<String, Session>,
    by_token: HashMap<String, String>,
    /// Session ids, oldest first.
    order: VecDeque<String>,
    /// Attempt id to session id.
    attempts: HashMap<String, String>,
    media: MediaStore,
}

impl Inner {
    /// Removes a session with its token, attempts and media.
    fn remove_session(&mut self, id: &str) -> Option<Session> {
        let session = self.sessions.remove(id)?;
        self.order.retain(|kept| kept != id);
        self.by_token.remove(&session.session_token);
        for attempt in &session.attempts {
            self.attempts.remove(&attempt.id);
        }
        self.media.remove_all(
            session
                .attempts
                .iter()
                .flat_map(|attempt| attempt.media.iter()),
        );
        Some(session)
    }

    /// Drops the oldest media until a new one of `size` bytes fits, also from
    /// their attempts' lists.
    fn make_room_for_medium(&mut self, size: usize) {
        for medium in self.media.make_room(size) {
            if let Some(attempt) = self
                .sessions
                .get_mut(&medium.session_id)
                .and_then(|s| s.attempts.iter_mut().find(|a| a.id == medium.attempt_id))
            {
                attempt.media.retain(|kept| *kept != medium.id);
            }
        }
    }
}

/// The store's lock: [`Outbox::unlocked`] runs right after it is released
/// (fields drop in the order declared).
struct Locked<'a> {
    inner: MutexGuard<'a, Inner>,
    _then: Unlocked<'a>,
}

/// Tells the outbox, when dropped, that the lock is released.
struct Unlocked<'a>(Option<&'a dyn Outbox>);

impl Drop for Unlocked<'_> {
    fn drop(&mut self) {
        // Not while unwinding from a panic under the lock.
        if std::thread::panicking() {
            return;
        }
        if let Some(outbox) = self.0 {
            outbox.unlocked();
        }
    }
}

impl std::ops::Deref for Locked<'_> {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Inner {
        &mut self.inner
    }
}

pub(crate) struct Store {
    inner: Mutex<Inner>,
    /// At least 1.
    max_sessions: usize,
    /// Told of every start, submit and decision, under the lock.
    outbox: Option<Arc<dyn Outbox>>,
}

impl Store {
    /// A store of at most `max_sessions` sessions, `max_media` media and
    /// `media_budget` decoded media bytes (a cap of 0 is treated as 1).
    pub(crate) fn new(max_sessions: usize, max_media: usize, media_budget: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                sessions: HashMap::new(),
                by_token: HashMap::new(),
                order: VecDeque::new(),
                attempts: HashMap::new(),
                media: MediaStore::new(max_media, media_budget),
            }),
            max_sessions: max_sessions.max(1),
            outbox: None,
        }
    }

    /// The same store, telling its changes to `outbox`.
    pub(crate) fn with_outbox(self, outbox: Arc<dyn Outbox>) -> Self {
        Self {
            outbox: Some(outbox),
            ..self
        }
    }

    fn tell(&self, change: Change<'_>) {
        if let Some(outbox) = &self.outbox {
            outbox.tell(change);
        }
    }

    /// The store, locked until the guard drops; then the outbox is told
    /// that the lock is released.
    fn lock(&self) -> Locked<'_> {
        // No code panics while holding the lock; if one ever did, the data is
        // still consistent enough for a mock, so recover instead of panicking.
        Locked {
            inner: self.inner.lock().unwrap_or_else(PoisonError::into_inner),
            _then: Unlocked(self.outbox.as_deref()),
        }
    }

    /// Creates a `created` session, dropping the oldest ones beyond the cap.
    pub(crate) fn create(&self, new: NewSession) -> Session {
        let session = Session::new(new);
        let mut inner = self.lock();
        while inner.order.len() >= self.max_sessions {
            let Some(oldest) = inner.order.front().cloned() else {
                break;
            };
            inner.remove_session(&oldest);
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

    /// The end user opened the session URL: `created` becomes `started`, and
    /// after a resubmission request a new, `started` attempt begins; other
    /// statuses stay. With `transition == false` only looks the session up.
    pub(crate) fn open(&self, token: &str, transition: bool) -> Option<Session> {
        let mut inner = self.lock();
        let id = inner.by_token.get(token)?.clone();
        let Inner {
            sessions, attempts, ..
        } = &mut *inner;
        let session = sessions.get_mut(&id)?;
        if transition && session.status.opens_on_visit() {
            session.ensure_attempt(Status::Started, attempts);
            session.set_status(Status::Started);
            self.tell(Change::Started(session));
        }
        Some(session.clone())
    }

    /// Submits a `created`, `started` or `resubmission_requested` session
    /// (PATCH page: "Session must be in created or started status"; "cannot be
    /// updated after it has been submitted"; docs/veriff-api.md, section 6.1
    /// for resubmission). A session created with the decision trick is
    /// decided right after. Returns the session as submitted (what the PATCH
    /// answer shows).
    pub(crate) fn submit(&self, id: &str) -> Result<Session, Refusal> {
        let mut inner = self.lock();
        let Inner {
            sessions, attempts, ..
        } = &mut *inner;
        let session = sessions.get_mut(id).ok_or(Refusal::NotFound)?;
        if !session.status.open_for_input() {
            return Err(match session.status {
                Status::Expired | Status::Abandoned => Refusal::CannotTransition(Status::Submitted),
                _ => Refusal::AlreadySubmitted,
            });
        }
        session.ensure_attempt(Status::Submitted, attempts);
        session.set_status(Status::Submitted);
        let submitted = session.clone();
        self.tell(Change::Submitted(session));
        if let Some(trick) = Trick::from_first_name(session.init.first_name.as_deref()) {
            session.decide(trick.outcome());
            self.tell(Change::Decided(session));
        }
        Ok(submitted)
    }

    /// Stores a medium on the session's current attempt (starting one if
    /// needed). Refused once submitted (PATCH page: media after submit may get
    /// "409 - conflict"). Oldest media are dropped to stay within the caps.
    pub(crate) fn add_medium(&self, id: &str, upload: Upload) -> Result<Medium, Refusal> {
        let mut inner = self.lock();
        if !inner.media.fits(upload.bytes.len()) {
            return Err(Refusal::TooLarge);
        }
        let session = inner.sessions.get(id).ok_or(Refusal::NotFound)?;
        if !session.status.open_for_input() {
            return Err(Refusal::AlreadySubmitted);
        }
        inner.make_room_for_medium(upload.bytes.len());
        let Inner {
            sessions,
            attempts,
            media,
            ..
        } = &mut *inner;
        let session = sessions.get_mut(id).ok_or(Refusal::NotFound)?;
        // An upload after a resubmission request begins a new attempt, as the
        // end user redoing the flow would.
        let status = match session.status {
            Status::ResubmissionRequested => Status::Started,
            other => other,
        };
        let attempt_id = session.ensure_attempt(status, attempts);
        let medium = Medium {
            id: uuid::Uuid::new_v4().to_string(),
            session_id: id.to_owned(),
            attempt_id,
            context: upload.context,
            mimetype: upload.mimetype,
            bytes: Bytes::from(upload.bytes),
        };
        if let Some(attempt) = session.attempts.last_mut() {
            attempt.media.push(medium.id.clone());
        }
        media.insert(medium.clone());
        Ok(medium)
    }

    /// Media of the session's most recent attempt (docs/veriff-api.md, section
    /// 4.5 [DOC]); `None` for an unknown session.
    pub(crate) fn session_media(&self, id: &str) -> Option<Vec<Medium>> {
        let inner = self.lock();
        let session = inner.sessions.get(id)?;
        Some(
            session
                .latest_attempt()
                .map(|attempt| inner.media.of(&attempt.media))
                .unwrap_or_default(),
        )
    }

    /// Media of one attempt; `None` for an unknown attempt.
    pub(crate) fn attempt_media(&self, attempt_id: &str) -> Option<Vec<Medium>> {
        let inner = self.lock();
        let session = inner.sessions.get(inner.attempts.get(attempt_id)?)?;
        let attempt = session.attempts.iter().find(|a| a.id == attempt_id)?;
        Some(inner.media.of(&attempt.media))
    }

    pub(crate) fn medium(&self, id: &str) -> Option<Medium> {
        self.lock().media.get(id)
    }

    /// Deletes a session in a deletable status (docs/veriff-api.md, section
    /// 4.3 [DOC]): it is gone from every route at once, with its attempts and
    /// media.
    pub(crate) fn delete(&self, id: &str) -> Result<(), Refusal> {
        let mut inner = self.lock();
        let session = inner.sessions.get(id).ok_or(Refusal::NotFound)?;
        if !session.status.deletable() {
            return Err(Refusal::NotDeletable);
        }
        inner.remove_session(id);
        Ok(())
    }

    /// A decision control of the flow page: submits the session if it is
    /// still open for input (as `PATCH` does, but the decision trick does
    /// not apply: the end user's choice is the decision), then decides it as
    /// [`Store::force_decision`] does. A session that can take neither
    /// (already decided, expired, abandoned) is refused and left unchanged.
    pub(crate) fn submit_and_decide(&self, id: &str, outcome: Status) -> Result<Session, Refusal> {
        let mut inner = self.lock();
        let Inner {
            sessions, attempts, ..
        } = &mut *inner;
        let session = sessions.get_mut(id).ok_or(Refusal::NotFound)?;
        let open = session.status.open_for_input();
        if !open && !session.status.can_be_decided(outcome) {
            return Err(Refusal::CannotTransition(outcome));
        }
        if open {
            session.ensure_attempt(Status::Submitted, attempts);
            session.set_status(Status::Submitted);
            self.tell(Change::Submitted(session));
        }
        session.decide(outcome);
        self.tell(Change::Decided(session));
        Ok(session.clone())
    }

    /// The mock-only decision controls: moves the session to a decision status
    /// as [`Status::can_be_decided`] allows. Asking for the status the session
    /// already has changes nothing (and tells nothing).
    pub(crate) fn force_decision(&self, id: &str, outcome: Status) -> Result<Session, Refusal> {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(id).ok_or(Refusal::NotFound)?;
        if session.status == outcome {
            return Ok(session.clone());
        }
        if !session.status.can_be_decided(outcome) {
            return Err(Refusal::CannotTransition(outcome));
        }
        session.decide(outcome);
        self.tell(Change::Decided(session));
        Ok(session.clone())
    }
}

#[cfg(test)]
mod tests;
