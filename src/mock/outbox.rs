//! What the mock sends when a session changes: the store tells its changes
//! to [`WebhookOutbox`], which turns them into event, decision and
//! watchlist-screening webhooks for the deliveries (`delivery.rs`). The
//! `/mock` routes that inspect deliveries are `webhooks.rs`.

use std::sync::Arc;

use serde_json::{Value, json};

use super::delivery::{Deliveries, WebhookKind};
use super::state::{Change, Outbox, Session, Status};
use super::views::{decision_body, watchlist_data};

/// Turns the store's changes into webhooks. It runs under the store's lock,
/// so it only captures what each body needs; the bodies are built later, off
/// the API's path (or, when too many wait, once the lock is released).
pub(crate) struct WebhookOutbox(pub(crate) Arc<Deliveries>);

impl Outbox for WebhookOutbox {
    fn tell(&self, change: Change<'_>) {
        let deliveries = &self.0;
        match change {
            Change::Started(session) | Change::Submitted(session) => {
                if deliveries.wants(WebhookKind::Event) {
                    let status = match change {
                        Change::Started(_) => Status::Started,
                        _ => Status::Submitted,
                    };
                    let event = Event::of(session, status);
                    deliveries.send(WebhookKind::Event, &session.id, move || event.body());
                }
            }
            Change::Decided(session) => {
                let watchlist = screened(session) && deliveries.wants(WebhookKind::Watchlist);
                if !watchlist && !deliveries.wants(WebhookKind::Decision) {
                    return;
                }
                let decided = Arc::new(session.clone());
                let (id, both) = (&session.id, Arc::clone(&decided));
                deliveries.send(WebhookKind::Decision, id, move || decision_body(&both));
                if watchlist {
                    deliveries.send(WebhookKind::Watchlist, id, move || watchlist_data(&decided));
                }
            }
        }
    }

    fn unlocked(&self) {
        self.0.unlocked();
    }
}

/// What the event webhook tells of a session, as it was when it changed.
struct Event {
    id: String,
    attempt_id: Option<String>,
    status: Status,
    vendor_data: Option<String>,
    end_user_id: Option<String>,
}

impl Event {
    fn of(session: &Session, status: Status) -> Self {
        Self {
            id: session.id.clone(),
            attempt_id: session.latest_attempt().map(|a| a.id.clone()),
            status,
            vendor_data: session.vendor_data.clone(),
            end_user_id: session.end_user_id.clone(),
        }
    }

    /// The event webhook (docs/veriff-api.md, section 5.4 [DOC]): the fields
    /// and order of Veriff's sample; `attemptId` is the current attempt.
    fn body(&self) -> Value {
        let code = match self.status {
            Status::Started => 7001,
            _ => 7002,
        };
        json!({
            "id": self.id,
            "attemptId": self.attempt_id,
            "feature": "selfid",
            "code": code,
            "action": self.status.as_str(),
            "vendorData": self.vendor_data,
            "endUserId": self.end_user_id,
        })
    }
}

/// Whether a decision screened the person: one on a submitted attempt
/// (not `expired` or `abandoned`, which had no data to screen).
fn screened(session: &Session) -> bool {
    session
        .decision
        .as_ref()
        .is_some_and(|d| !matches!(d.status, Status::Expired | Status::Abandoned))
}
