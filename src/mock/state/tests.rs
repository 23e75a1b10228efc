//! The store's behaviour: caps, lifecycle, the decision trick, media bounds.

use super::lifecycle::MAX_ATTEMPTS;
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
    assert_eq!(store.lock().media.bytes(), 0);
    assert!(store.lock().media.is_empty());
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
    assert_eq!(store.lock().media.bytes(), 70);
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

/// An outbox that notes each change it is told and, when the lock is
/// released, whether the store can be locked again.
#[derive(Default)]
struct Watching {
    store: std::sync::OnceLock<std::sync::Weak<Store>>,
    seen: Mutex<Vec<String>>,
}

impl Outbox for Watching {
    fn tell(&self, change: Change<'_>) {
        let what = match change {
            Change::Started(_) => "started",
            Change::Submitted(_) => "submitted",
            Change::Decided(_) => "decided",
        };
        self.seen.lock().expect("seen").push(what.to_owned());
    }

    fn unlocked(&self) {
        let store = self.store.get().and_then(std::sync::Weak::upgrade);
        let free = store.is_some_and(|store| store.inner.try_lock().is_ok());
        self.seen
            .lock()
            .expect("seen")
            .push(format!("unlocked, free: {free}"));
    }
}

#[test]
fn the_outbox_hears_each_change_under_the_lock_and_then_that_the_lock_is_free() {
    let watching = Arc::new(Watching::default());
    let store = Arc::new(store(10).with_outbox(Arc::clone(&watching) as Arc<dyn Outbox>));
    watching
        .store
        .set(Arc::downgrade(&store))
        .expect("set once");
    let s = named(&store, "Approve");
    store.open(&s.session_token, true).expect("opened");
    store.submit(&s.id).expect("submitted");
    let seen = watching.seen.lock().expect("seen").clone();
    assert_eq!(
        seen,
        [
            "unlocked, free: true", // create
            "started",
            "unlocked, free: true",
            "submitted",
            "decided",
            "unlocked, free: true",
        ]
    );
}

#[test]
fn a_flow_decision_submits_an_open_session_then_decides_it_whatever_its_first_name() {
    let store = store(10);
    let s = named(&store, "Approve");
    store.open(&s.session_token, true).expect("opened");
    let decided = store
        .submit_and_decide(&s.id, Status::Declined)
        .expect("decided");
    assert_eq!(decided.status, Status::Declined);
    assert_eq!(decided.attempts.len(), 1);
    assert_eq!(
        decided.decision.as_ref().map(|d| d.attempt_id.clone()),
        Some(Some(decided.attempts[0].id.clone()))
    );
}

#[test]
fn a_flow_decision_on_a_submitted_session_only_decides_and_on_a_decided_one_changes_nothing() {
    let store = store(10);
    let s = named(&store, "Ann");
    store.submit(&s.id).expect("submitted");
    let approved = store
        .submit_and_decide(&s.id, Status::Approved)
        .expect("decided");
    assert_eq!(approved.status, Status::Approved);
    assert_eq!(approved.attempts.len(), 1);
    assert_eq!(
        store.submit_and_decide(&s.id, Status::Declined).err(),
        Some(Refusal::CannotTransition(Status::Declined))
    );
    assert_eq!(store.get(&s.id).map(|s| s.status), Some(Status::Approved));
}
