//! The results of a session: its attempts, decision, person and watchlist
//! screening, each a GET signed over the session id (docs/veriff-api.md,
//! section 2.3 [DOC]), with the views they answer with.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::app::Shared;
use super::controls::requested_decision;
use super::errors::ApiError;
use super::extract::SignedId;
use super::views::{decision_body, full_name, watchlist_data};

/// `GET /v1/sessions/{id}/attempts` (docs/veriff-api.md, section 4.7 [DOC]): `verifications[]`
/// newest first, each `{"id","status","createdTime"}`. An attempt begins with
/// the first media upload, session URL visit or submit, and again with the
/// first of those after a resubmission request; a fresh session has none.
pub(crate) async fn attempts(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    let session = app.store.get(&id).ok_or(ApiError::not_found())?;
    let verifications: Vec<Value> = session
        .attempts
        .iter()
        .rev()
        .map(|attempt| {
            json!({
                "id": attempt.id,
                "status": attempt.status.as_str(),
                "createdTime": attempt.created_time,
            })
        })
        .collect();
    Ok(app.signed(
        scheme,
        StatusCode::OK,
        &json!({"status": "success", "verifications": verifications}),
    ))
}

/// `GET /v1/sessions/{id}/decision` (docs/veriff-api.md, section 4.9): `verification: null`
/// until a decision [DOC], then the decision. With the mock-only
/// [`super::DECISION_HEADER`], the session is decided first.
pub(crate) async fn decision(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let forced = requested_decision(&headers)?;
    let session = match forced {
        None => app.store.get(&id).ok_or(ApiError::not_found())?,
        Some(outcome) => app.store.force_decision(&id, outcome)?,
    };
    Ok(app.signed(scheme, StatusCode::OK, &decision_body(&session)))
}

/// `GET /v1/sessions/{id}/person` (docs/veriff-api.md, section 4.10: the key names are [NF]).
/// Mock choice: `{"status":"success","person":{...}}` with the initData of
/// the create body (`null` where not given) and an empty
/// `pepSanctionMatches` (no screening hits, [DOC]: "empty when no match").
pub(crate) async fn person(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    let session = app.store.get(&id).ok_or(ApiError::not_found())?;
    let init = &session.init;
    Ok(app.signed(
        scheme,
        StatusCode::OK,
        &json!({
            "status": "success",
            "person": {
                "firstName": init.first_name,
                "lastName": init.last_name,
                "fullName": full_name(init),
                "dateOfBirth": init.date_of_birth,
                "gender": init.gender,
                "idNumber": init.id_number,
                "nationality": null,
                "pepSanctionMatches": [],
            },
        }),
    ))
}

/// `GET /v1/sessions/{id}/watchlist-screening` (docs/veriff-api.md, section 4.11 [DOC]). The
/// mock screens nobody: `no_match` (both `matchStatus` and the newer
/// `reviewStatus`), `totalHits: 0`, `hits: []`, `checkType: initial_result`,
/// `searchTerm` from the initData name and year of birth, `createdAt` the
/// session's creation time, `attemptId` the latest attempt (before any, the
/// id the first one will take: `attemptId` is documented as a UUID,
/// docs/veriff-api.md, section 4.11 [DOC]). Answered for every session
/// (Veriff answers only customers of its PEP & Sanctions product).
pub(crate) async fn watchlist_screening(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    let session = app.store.get(&id).ok_or(ApiError::not_found())?;
    Ok(app.signed(
        scheme,
        StatusCode::OK,
        &json!({"status": "success", "data": watchlist_data(&session)}),
    ))
}
