//! In-memory store of sessions, their attempts, decisions and media. One
//! `std::sync::Mutex` guards everything and is never held across an `.await`,
//! so every check-and-set is atomic (a delete and an upload of one session
//! never interleave).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::body::Bytes;

/// Session (and attempt) statuses (reference §6.1 [DOC]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Started,
    Submitted,
    Approved,
    Declined,
    ResubmissionRequested,
    Review,
    Expired,
    Abandoned,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Started => "started",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Declined => "declined",
            Status::ResubmissionRequested => "resubmission_requested",
            Status::Review => "review",
            Status::Expired => "expired",
            Status::Abandoned => "abandoned",
        }
    }

    /// The decision statuses, by name (for the mock's decision control).
    pub(crate) fn decision(name: &str) -> Option<Status> {
        [
            Status::Approved,
            Status::Declined,
            Status::ResubmissionRequested,
            Status::Review,
            Status::Expired,
            Status::Abandoned,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }

    /// Decision code (reference §6.1 [DOC] status table; `abandoned` and
    /// `expired` share 9104, `review` is 9121).
    pub(crate) fn code(self) -> Option<u16> {
        match self {
            Status::Approved => Some(9001),
            Status::Declined => Some(9102),
            Status::ResubmissionRequested => Some(9103),
            Status::Expired | Status::Abandoned => Some(9104),
            Status::Review => Some(9121),
            Status::Created | Status::Started | Status::Submitted => None,
        }
    }

    /// Media may be added and the session submitted: `created` or `started`
    /// (PATCH page), or `resubmission_requested`, which lets the user redo the
    /// flow in the same session (reference §6.1 [DOC]).
    fn open_for_input(self) -> bool {
        matches!(
            self,
            Status::Created | Status::Started | Status::ResubmissionRequested
        )
    }

    /// Deletable statuses, newest DELETE page text (reference §4.3 [DOC]):
    /// everything but `submitted` and `review` (the older text also listed
    /// `review`; the newest does not).
    fn deletable(self) -> bool {
        !matches!(self, Status::Submitted | Status::Review)
    }
}

/// The test-integration decision trick (reference §7 [DOC-old]): this value of
/// `verification.person.firstName` decides the session when it is submitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trick {
    Approve,
    Decline,
    Resubmit,
}

impl Trick {
    /// Exact, case-sensitive match of the documented words.
    pub(crate) fn from_first_name(name: Option<&str>) -> Option<Trick> {
        match name? {
            "Approve" => Some(Trick::Approve),
            "Decline" => Some(Trick::Decline),
            "Resubmit" => Some(Trick::Resubmit),
            _ => None,
        }
    }

    fn outcome(self) -> Status {
        match self {
            Trick::Approve => Status::Approved,
            Trick::Decline => Status::Declined,
            Trick::Resubmit => Status::ResubmissionRequested,
        }
    }
}

/// Reference §6.1 [DOC]: "9 resubmissions; the 10th attempt is auto-declined
/// with reason code 539".
pub(crate) const MAX_ATTEMPTS: usize = 10;

/// Person and document data given at create (initData), kept for the
/// decision, person and watchlist-screening answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct InitData {
    pub(crate) first_name: Option<String>,
    pub(crate) last_name: Option<String>,
    pub(crate) id_number: Option<String>,
    pub(crate) date_of_birth: Option<String>,
    pub(crate) gender: Option<String>,
    pub(crate) document_number: Option<String>,
    pub(crate) document_type: Option<String>,
    pub(crate) document_country: Option<String>,
}

/// What a create request asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NewSession {
    pub(crate) vendor_data: Option<String>,
    pub(crate) end_user_id: Option<String>,
    pub(crate) init: InitData,
}

/// One upload-and-decide cycle of a session (reference §4.7).
#[derive(Clone, Debug)]
pub(crate) struct Attempt {
    pub(crate) id: String,
    pub(crate) status: Status,
    pub(crate) created_time: String,
    /// Media ids, in upload order.
    pub(crate) media: Vec<String>,
}

/// A decision on a session.
#[derive(Clone, Debug)]
pub(crate) struct Decision {
    pub(crate) status: Status,
    /// The attempt decided; `None` for a session that expired before any attempt.
    pub(crate) attempt_id: Option<String>,
    pub(crate) time: String,
    pub(crate) reason: Option<&'static str>,
    pub(crate) reason_code: Option<u16>,
}

/// A snapshot of one session.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) status: Status,
    pub(crate) vendor_data: Option<String>,
    pub(crate) end_user_id: Option<String>,
    pub(crate) session_token: String,
    pub(crate) created_at: String,
    pub(crate) init: InitData,
    /// Attempts, oldest first.
    pub(crate) attempts: Vec<Attempt>,
    /// The latest decision, kept while a resubmitted attempt is under way.
    pub(crate) decision: Option<Decision>,
}

impl Session {
    pub(crate) fn latest_attempt(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// Starts a new attempt when there is none yet or the last one was sent
    /// back for resubmission; the session and the attempt take `status`.
    /// Returns the current attempt's id.
    fn ensure_attempt(&mut self, status: Status, index: &mut HashMap<String, String>) -> String {
        let fresh = self.attempts.is_empty() || self.status == Status::ResubmissionRequested;
        if fresh {
            let attempt = Attempt {
                id: uuid::Uuid::new_v4().to_string(),
                status,
                created_time: now(),
                media: Vec::new(),
            };
            index.insert(attempt.id.clone(), self.id.clone());
            self.attempts.push(attempt);
            self.status = status;
        }
        self.attempts
            .last()
            .map(|a| a.id.clone())
            .unwrap_or_default()
    }

    fn set_status(&mut self, status: Status) {
        self.status = status;
        if let Some(attempt) = self.attempts.last_mut() {
            attempt.status = status;
        }
    }

    /// Records a decision on the latest attempt. A resubmission asked on the
    /// tenth attempt is a decline with reason code 539 instead.
    fn decide(&mut self, outcome: Status) {
        let (status, reason, reason_code) =
            if outcome == Status::ResubmissionRequested && self.attempts.len() >= MAX_ATTEMPTS {
                (
                    Status::Declined,
                    Some("Resubmission limit exceeded"),
                    Some(539),
                )
            } else {
                (outcome, None, None)
            };
        self.set_status(status);
        self.decision = Some(Decision {
            status,
            attempt_id: self.latest_attempt().map(|a| a.id.clone()),
            time: now(),
            reason,
            reason_code,
        });
    }
}

/// One uploaded medium.
#[derive(Clone, Debug)]
pub(crate) struct Medium {
    pub(crate) id: String,
    pub(crate) session_id: String,
    pub(crate) attempt_id: String,
    pub(crate) context: String,
    pub(crate) mimetype: String,
    pub(crate) bytes: Bytes,
}

/// A medium to store.
pub(crate) struct Upload {
    pub(crate) context: String,
    pub(crate) mimetype: String,
    pub(crate) bytes: Vec<u8>,
}

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

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    by_token: HashMap<String, String>,
    /// Session ids, oldest first.
    order: VecDeque<String>,
    /// Attempt id to session id.
    attempts: HashMap<String, String>,
    media: HashMap<String, Medium>,
    /// Media ids, oldest first; exactly the keys of `media`.
    media_order: VecDeque<String>,
    /// Sum of the stored media sizes.
    media_bytes: usize,
}

impl Inner {
    /// Removes a session with its token, attempts and media.
    fn remove_session(&mut self, id: &str) -> Option<Session> {
        let session = self.sessions.remove(id)?;
        self.order.retain(|kept| kept != id);
        self.by_token.remove(&session.session_token);
        let mut gone = HashSet::new();
        for attempt in &session.attempts {
            self.attempts.remove(&attempt.id);
            for medium in &attempt.media {
                if let Some(medium) = self.media.remove(medium) {
                    self.media_bytes -= medium.bytes.len();
                    gone.insert(medium.id);
                }
            }
        }
        if !gone.is_empty() {
            self.media_order.retain(|kept| !gone.contains(kept));
        }
        Some(session)
    }

    /// Drops the oldest medium, also from its attempt's list.
    fn evict_oldest_medium(&mut self) {
        let Some(oldest) = self.media_order.pop_front() else {
            return;
        };
        let Some(medium) = self.media.remove(&oldest) else {
            return;
        };
        self.media_bytes -= medium.bytes.len();
        if let Some(attempt) = self
            .sessions
            .get_mut(&medium.session_id)
            .and_then(|s| s.attempts.iter_mut().find(|a| a.id == medium.attempt_id))
        {
            attempt.media.retain(|kept| *kept != medium.id);
        }
    }

    fn media_of(&self, ids: &[String]) -> Vec<Medium> {
        ids.iter()
            .filter_map(|id| self.media.get(id).cloned())
            .collect()
    }
}

pub(crate) struct Store {
    inner: Mutex<Inner>,
    max_sessions: usize,
    max_media: usize,
    media_budget: usize,
}

impl Store {
    pub(crate) fn new(max_sessions: usize, max_media: usize, media_budget: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max_sessions: max_sessions.max(1),
            max_media: max_media.max(1),
            media_budget,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // No code panics while holding the lock; if one ever did, the data is
        // still consistent enough for a mock, so recover instead of panicking.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates a `created` session, dropping the oldest ones beyond the cap.
    pub(crate) fn create(&self, new: NewSession) -> Session {
        let session = Session {
            id: uuid::Uuid::new_v4().to_string(),
            status: Status::Created,
            vendor_data: new.vendor_data,
            end_user_id: new.end_user_id,
            session_token: new_token(),
            created_at: now(),
            init: new.init,
            attempts: Vec::new(),
            decision: None,
        };
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
        if transition
            && matches!(
                session.status,
                Status::Created | Status::ResubmissionRequested
            )
        {
            session.ensure_attempt(Status::Started, attempts);
            session.set_status(Status::Started);
        }
        Some(session.clone())
    }

    /// Submits a `created`, `started` or `resubmission_requested` session
    /// (PATCH page: "Session must be in created or started status"; "cannot be
    /// updated after it has been submitted"; reference §6.1 for resubmission).
    /// A session created with the decision trick is decided right after.
    /// Returns the session as submitted (what the PATCH answer shows).
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
        if let Some(trick) = Trick::from_first_name(session.init.first_name.as_deref()) {
            session.decide(trick.outcome());
        }
        Ok(submitted)
    }

    /// Stores a medium on the session's current attempt (starting one if
    /// needed). Refused once submitted (PATCH page: media after submit may get
    /// "409 - conflict"). Oldest media are dropped to stay within the caps.
    pub(crate) fn add_medium(&self, id: &str, upload: Upload) -> Result<Medium, Refusal> {
        if upload.bytes.len() > self.media_budget {
            return Err(Refusal::TooLarge);
        }
        let mut inner = self.lock();
        let session = inner.sessions.get(id).ok_or(Refusal::NotFound)?;
        if !session.status.open_for_input() {
            return Err(Refusal::AlreadySubmitted);
        }
        while inner.media.len() >= self.max_media
            || inner.media_bytes + upload.bytes.len() > self.media_budget
        {
            if inner.media_order.is_empty() {
                break;
            }
            inner.evict_oldest_medium();
        }
        let Inner {
            sessions, attempts, ..
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
        inner.media_bytes += medium.bytes.len();
        inner.media_order.push_back(medium.id.clone());
        inner.media.insert(medium.id.clone(), medium.clone());
        Ok(medium)
    }

    /// Media of the session's most recent attempt (reference §4.5 [DOC]);
    /// `None` for an unknown session.
    pub(crate) fn session_media(&self, id: &str) -> Option<Vec<Medium>> {
        let inner = self.lock();
        let session = inner.sessions.get(id)?;
        Some(
            session
                .latest_attempt()
                .map(|attempt| inner.media_of(&attempt.media))
                .unwrap_or_default(),
        )
    }

    /// Media of one attempt; `None` for an unknown attempt.
    pub(crate) fn attempt_media(&self, attempt_id: &str) -> Option<Vec<Medium>> {
        let inner = self.lock();
        let session = inner.sessions.get(inner.attempts.get(attempt_id)?)?;
        let attempt = session.attempts.iter().find(|a| a.id == attempt_id)?;
        Some(inner.media_of(&attempt.media))
    }

    pub(crate) fn medium(&self, id: &str) -> Option<Medium> {
        self.lock().media.get(id).cloned()
    }

    /// Deletes a session in a deletable status (reference §4.3 [DOC]): it is
    /// gone from every route at once, with its attempts and media.
    pub(crate) fn delete(&self, id: &str) -> Result<(), Refusal> {
        let mut inner = self.lock();
        let session = inner.sessions.get(id).ok_or(Refusal::NotFound)?;
        if !session.status.deletable() {
            return Err(Refusal::NotDeletable);
        }
        inner.remove_session(id);
        Ok(())
    }

    /// The mock-only decision control: moves the session to a decision status
    /// as the reference §6.3 state machine allows. `approved`, `declined`,
    /// `resubmission_requested` and `review` need a `submitted` session (or
    /// one in `review`); `expired` needs `created`; `abandoned` needs
    /// `started` or `resubmission_requested`. Asking for the status the
    /// session already has changes nothing.
    pub(crate) fn force_decision(&self, id: &str, outcome: Status) -> Result<Session, Refusal> {
        let mut inner = self.lock();
        let session = inner.sessions.get_mut(id).ok_or(Refusal::NotFound)?;
        if session.status == outcome {
            return Ok(session.clone());
        }
        let allowed = match outcome {
            Status::Approved
            | Status::Declined
            | Status::ResubmissionRequested
            | Status::Review => {
                matches!(session.status, Status::Submitted | Status::Review)
            }
            Status::Expired => session.status == Status::Created,
            Status::Abandoned => {
                matches!(
                    session.status,
                    Status::Started | Status::ResubmissionRequested
                )
            }
            Status::Created | Status::Started | Status::Submitted => false,
        };
        if !allowed {
            return Err(Refusal::CannotTransition(outcome));
        }
        session.decide(outcome);
        Ok(session.clone())
    }
}

/// The current time as ISO-8601 UTC with microseconds, like the decision
/// page's example `2024-01-01T00:00:00.000000Z`.
pub(crate) fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
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

    fn store(max_sessions: usize) -> Store {
        Store::new(max_sessions, 100, 1 << 20)
    }

    fn named(store: &Store, first_name: &str) -> Session {
        store.create(NewSession {
            init: InitData {
                first_name: Some(first_name.into()),
                ..InitData::default()
            },
            ..NewSession::default()
        })
    }

    fn upload(bytes: usize) -> Upload {
        Upload {
            context: "face".into(),
            mimetype: "image/jpeg".into(),
            bytes: vec![1; bytes],
        }
    }

    #[test]
    fn cap_drops_the_oldest_session_its_token_and_media() {
        let store = store(2);
        let a = store.create(NewSession::default());
        let medium = store.add_medium(&a.id, upload(10)).expect("stored");
        let b = store.create(NewSession::default());
        let c = store.create(NewSession::default());
        assert!(store.get(&a.id).is_none());
        assert!(store.open(&a.session_token, false).is_none());
        assert!(store.medium(&medium.id).is_none());
        assert!(store.attempt_media(&medium.attempt_id).is_none());
        assert_eq!(store.lock().media_bytes, 0);
        assert!(store.lock().media_order.is_empty());
        assert!(store.get(&b.id).is_some());
        assert!(store.get(&c.id).is_some());
    }

    #[test]
    fn a_zero_cap_keeps_the_newest_session() {
        let store = store(0);
        store.create(NewSession::default());
        let b = store.create(NewSession::default());
        assert!(store.get(&b.id).is_some());
    }

    #[test]
    fn opening_moves_only_created_to_started() {
        let store = store(10);
        let s = store.create(NewSession::default());
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
        assert_eq!(store.get(&s.id).map(|s| s.attempts.len()), Some(1));
    }

    #[test]
    fn media_beyond_the_count_or_byte_cap_evicts_the_oldest() {
        let store = Store::new(10, 2, 100);
        let s = store.create(NewSession::default());
        let first = store.add_medium(&s.id, upload(40)).expect("first");
        let second = store.add_medium(&s.id, upload(40)).expect("second");
        // Count cap: a third drops the first.
        let third = store.add_medium(&s.id, upload(10)).expect("third");
        assert!(store.medium(&first.id).is_none());
        // Byte cap: 40 + 10 + 60 > 100 drops the second.
        let fourth = store.add_medium(&s.id, upload(60)).expect("fourth");
        assert!(store.medium(&second.id).is_none());
        let listed: Vec<String> = store
            .session_media(&s.id)
            .expect("session")
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(listed, [third.id, fourth.id]);
        assert_eq!(store.lock().media_bytes, 70);
        assert_eq!(
            store.add_medium(&s.id, upload(101)).err(),
            Some(Refusal::TooLarge)
        );
    }

    #[test]
    fn the_trick_decides_at_submit_and_resubmission_opens_a_new_attempt() {
        let store = store(10);
        let s = named(&store, "Resubmit");
        let submitted = store.submit(&s.id).expect("submit");
        assert_eq!(submitted.status, Status::Submitted);
        let decided = store.get(&s.id).expect("session");
        assert_eq!(decided.status, Status::ResubmissionRequested);
        let first_attempt = decided.attempts[0].id.clone();
        assert_eq!(
            decided.decision.as_ref().and_then(|d| d.attempt_id.clone()),
            Some(first_attempt.clone())
        );
        let medium = store.add_medium(&s.id, upload(1)).expect("upload");
        assert_ne!(medium.attempt_id, first_attempt);
        let again = store.get(&s.id).expect("session");
        assert_eq!(again.status, Status::Started);
        assert_eq!(again.attempts.len(), 2);
        assert_eq!(again.attempts[0].status, Status::ResubmissionRequested);
        store.submit(&s.id).expect("resubmit");
        let again = store.get(&s.id).expect("session");
        assert_eq!(again.status, Status::ResubmissionRequested);
        assert_eq!(again.attempts[1].status, Status::ResubmissionRequested);
        let approved = named(&store, "Approve");
        store.submit(&approved.id).expect("submit");
        let done = store.get(&approved.id).expect("session");
        assert_eq!(done.status, Status::Approved);
        assert_eq!(done.attempts[0].status, Status::Approved);
        assert_eq!(done.decision.map(|d| d.status), Some(Status::Approved));
        assert_eq!(
            store.add_medium(&approved.id, upload(1)).err(),
            Some(Refusal::AlreadySubmitted)
        );
        let declined = named(&store, "Decline");
        store.submit(&declined.id).expect("submit");
        assert_eq!(
            store.get(&declined.id).map(|s| s.status),
            Some(Status::Declined)
        );
        // Only the exact words count.
        let plain = named(&store, "approve");
        store.submit(&plain.id).expect("submit");
        assert_eq!(
            store.get(&plain.id).map(|s| s.status),
            Some(Status::Submitted)
        );
    }

    #[test]
    fn an_unused_trick_word_changes_nothing_before_submit() {
        let store = store(10);
        let s = named(&store, "Approve");
        assert_eq!(store.get(&s.id).map(|s| s.status), Some(Status::Created));
        assert!(store.get(&s.id).is_some_and(|s| s.decision.is_none()));
    }

    #[test]
    fn the_tenth_attempt_is_declined_with_reason_539() {
        let store = store(10);
        let s = named(&store, "Resubmit");
        for _ in 0..MAX_ATTEMPTS - 1 {
            store.submit(&s.id).expect("submit");
        }
        assert_eq!(
            store.get(&s.id).map(|s| s.status),
            Some(Status::ResubmissionRequested)
        );
        store.submit(&s.id).expect("tenth");
        let session = store.get(&s.id).expect("session");
        assert_eq!(session.status, Status::Declined);
        assert_eq!(session.attempts.len(), MAX_ATTEMPTS);
        let decision = session.decision.expect("decided");
        assert_eq!(
            (decision.reason_code, decision.reason),
            (Some(539), Some("Resubmission limit exceeded"))
        );
    }

    #[test]
    fn forced_decisions_follow_the_state_machine() {
        let store = store(10);
        let s = store.create(NewSession::default());
        assert_eq!(
            store.force_decision(&s.id, Status::Approved).err(),
            Some(Refusal::CannotTransition(Status::Approved))
        );
        assert_eq!(
            store.force_decision(&s.id, Status::Abandoned).err(),
            Some(Refusal::CannotTransition(Status::Abandoned))
        );
        let expired = store
            .force_decision(&s.id, Status::Expired)
            .expect("expired");
        assert_eq!(expired.decision.and_then(|d| d.attempt_id), None);
        let t = store.create(NewSession::default());
        store.submit(&t.id).expect("submit");
        assert_eq!(store.delete(&t.id), Err(Refusal::NotDeletable));
        store.force_decision(&t.id, Status::Review).expect("review");
        assert_eq!(store.delete(&t.id), Err(Refusal::NotDeletable));
        store
            .force_decision(&t.id, Status::Declined)
            .expect("declined");
        store
            .force_decision(&t.id, Status::Declined)
            .expect("same again");
        assert_eq!(
            store.force_decision(&t.id, Status::Approved).err(),
            Some(Refusal::CannotTransition(Status::Approved))
        );
        assert_eq!(store.delete(&t.id), Ok(()));
        assert_eq!(store.delete(&t.id), Err(Refusal::NotFound));
    }
}
