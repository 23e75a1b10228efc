//! The mock-only routes under `/mock` that inspect and drive webhooks: the
//! delivery log, resend, and a trigger that decides a session on demand.
//! What is sent is `outbox.rs`; delivery itself is `delivery.rs`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::app::Shared;
use super::auth::Scheme;
use super::errors::ApiError;
use super::extract::{JsonBody, Keyed, KeyedJson};
use super::state::Status;
use super::views::decision_body;

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
