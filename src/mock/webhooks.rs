//! The webhooks resource: what the mock sends when a session changes (the
//! event, decision and watchlist-screening bodies), and the mock-only routes
//! under `/mock` that inspect and drive deliveries: the delivery log, resend,
//! and a trigger that decides a session on demand. Delivery itself is
//! `delivery.rs`.

use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::app::Shared;
use super::auth::Scheme;
use super::decisions::{decision_body, watchlist_data};
use super::delivery::{Deliveries, WebhookKind};
use super::errors::ApiError;
use super::extract::{JsonBody, Keyed, KeyedJson};
use super::state::{Change, Outbox, Session, Status};

// What is sent.

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

// Routes.

/// The delivery log's filter: `?session=<id>`.
#[derive(Debug, Deserialize)]
pub(crate) struct LogFilter {
    session: Option<String>,
}

/// `GET /mock/webhooks`: every delivery kept, oldest first, as
/// `{"deliveries":[...]}`; `?session=<id>` keeps one session's.
pub(crate) async fn delivery_log(
    State(app): Shared,
    _: Keyed,
    filter: Result<Query<LogFilter>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(filter) =
        filter.map_err(|_| ApiError::bad_control("the only query parameter is session=<id>"))?;
    Ok(json_bytes(
        StatusCode::OK,
        app.deliveries.list(filter.session.as_deref()),
    ))
}

/// `GET /mock/webhooks/{id}`: one delivery.
pub(crate) async fn delivery(
    State(app): Shared,
    _: Keyed,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(id)) = id else {
        return Err(ApiError::not_found());
    };
    let view = app
        .deliveries
        .one(&id)
        .ok_or_else(|| ApiError::unknown_delivery(&id))?;
    Ok(json_bytes(StatusCode::OK, view))
}

/// `POST /mock/webhooks/{id}/resend`: a new delivery of the same signed
/// bytes, answered with 202 and the new delivery.
pub(crate) async fn resend(
    State(app): Shared,
    _: Keyed,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(id)) = id else {
        return Err(ApiError::not_found());
    };
    let view = app
        .deliveries
        .resend(&id)
        .ok_or_else(|| ApiError::unknown_delivery(&id))?;
    Ok(json_bytes(StatusCode::ACCEPTED, view))
}

/// `POST /mock/sessions/{id}/decision` with `{"status":"<decision>"}`:
/// decides the session as [`super::DECISION_HEADER`] does (same statuses,
/// same refusals), which sends the decision webhook, and answers with the
/// decision as `GET /v1/sessions/{id}/decision` would.
pub(crate) async fn trigger_decision(
    State(app): Shared,
    id: Result<Path<String>, PathRejection>,
    KeyedJson {
        body: DecisionRequest(outcome),
        held: _held,
        ..
    }: KeyedJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    let Ok(Path(id)) = id else {
        return Err(ApiError::not_found());
    };
    let session = app.store.force_decision(&id, outcome)?;
    Ok(app.signed(Scheme::Hmac, StatusCode::OK, &decision_body(&session)))
}

/// The trigger's body: `{"status": "<decision status>"}`.
pub(crate) struct DecisionRequest(Status);

impl JsonBody for DecisionRequest {
    const NOT_JSON: ApiError = ApiError::malformed_json();

    fn validate(json: Value) -> Result<Self, ApiError> {
        json.get("status")
            .and_then(Value::as_str)
            .and_then(Status::decision)
            .map(DecisionRequest)
            .ok_or_else(|| {
                ApiError::bad_control(
                    "the body must be {\"status\": \"<status>\"}, the status one of approved, declined, resubmission_requested, review, expired or abandoned",
                )
            })
    }
}

/// An unsigned JSON answer of ready bytes.
fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}
