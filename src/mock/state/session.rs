//! One session as the store keeps it: its create data, attempts and latest
//! decision, and the changes a transition makes to them.

use std::collections::HashMap;

use super::lifecycle::{MAX_ATTEMPTS, Status};

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
    /// Where the flow page sends the end user after the flow.
    pub(crate) callback: Option<String>,
    pub(crate) end_user_id: Option<String>,
    pub(crate) init: InitData,
}

/// One upload-and-decide cycle of a session (docs/veriff-api.md, section 4.7).
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
    /// The create body's `verification.callback`.
    pub(crate) callback: Option<String>,
    pub(crate) session_token: String,
    pub(crate) created_at: String,
    pub(crate) init: InitData,
    /// Attempts, oldest first.
    pub(crate) attempts: Vec<Attempt>,
    /// The id the first attempt takes when it starts, known from creation so
    /// that a screening before it names it (`attemptId` is a UUID,
    /// docs/veriff-api.md, section 4.11 [DOC]).
    pub(crate) first_attempt_id: String,
    /// The latest decision, kept while a resubmitted attempt is under way.
    pub(crate) decision: Option<Decision>,
}

impl Session {
    /// A fresh `created` session with a new id and session token.
    pub(super) fn new(new: NewSession) -> Self {
        Session {
            id: uuid::Uuid::new_v4().to_string(),
            status: Status::Created,
            vendor_data: new.vendor_data,
            end_user_id: new.end_user_id,
            callback: new.callback,
            session_token: new_token(),
            created_at: now(),
            init: new.init,
            attempts: Vec::new(),
            first_attempt_id: uuid::Uuid::new_v4().to_string(),
            decision: None,
        }
    }

    pub(crate) fn latest_attempt(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// Starts a new attempt when there is none yet or the last one was sent
    /// back for resubmission; the session and the attempt take `status`.
    /// `index` maps attempt ids to session ids. Returns the current attempt's id.
    pub(super) fn ensure_attempt(
        &mut self,
        status: Status,
        index: &mut HashMap<String, String>,
    ) -> String {
        let fresh = self.attempts.is_empty() || self.status == Status::ResubmissionRequested;
        if fresh {
            let id = if self.attempts.is_empty() {
                self.first_attempt_id.clone()
            } else {
                uuid::Uuid::new_v4().to_string()
            };
            let attempt = Attempt {
                id,
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

    /// The session and its latest attempt take `status`.
    pub(super) fn set_status(&mut self, status: Status) {
        self.status = status;
        if let Some(attempt) = self.attempts.last_mut() {
            attempt.status = status;
        }
    }

    /// Records a decision on the latest attempt. A resubmission asked on the
    /// tenth attempt is a decline with reason code 539 instead.
    pub(super) fn decide(&mut self, outcome: Status) {
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

/// The current time as ISO-8601 UTC with microseconds, like the decision
/// page's example `2024-01-01T00:00:00.000000Z`.
fn now() -> String {
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
