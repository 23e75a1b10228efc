//! The views that both an API answer and a webhook show of a session: the
//! decision body (`GET /v1/sessions/{id}/decision` and the decision webhook)
//! and the watchlist-screening result (its GET and its webhook). Pure
//! functions of a session, so that the routes and the webhook outbox share
//! them without importing each other.

use serde_json::{Value, json};

use super::state::{InitData, Session};

/// The decision body. [DOC] fields: `id`, `attemptId`, `acceptanceTime`
/// (session creation), `decisionTime`, `code`, `vendorData`, `endUserId`.
/// [DOC-old]/[3P] fields the mock adds: `status`, `reason`, `reasonCode`
/// (null, except 539 for the resubmission limit), `person` and `document`
/// from the create body's initData, `comments: []`, and top-level
/// `technicalData: {"ip": null}`. The decision webhook's body is this view
/// too (`outbox.rs`).
pub(crate) fn decision_body(session: &Session) -> Value {
    let Some(decision) = &session.decision else {
        return json!({"status": "success", "verification": null});
    };
    let init = &session.init;
    json!({
        "status": "success",
        "verification": {
            "id": session.id,
            "attemptId": decision.attempt_id,
            "acceptanceTime": session.created_at,
            "decisionTime": decision.time,
            "code": decision.status.code(),
            "status": decision.status.as_str(),
            "reason": decision.reason,
            "reasonCode": decision.reason_code,
            "vendorData": session.vendor_data,
            "endUserId": session.end_user_id,
            "person": {
                "firstName": init.first_name,
                "lastName": init.last_name,
                "idNumber": init.id_number,
                "dateOfBirth": init.date_of_birth,
                "gender": init.gender,
                "nationality": null,
            },
            "document": {
                "number": init.document_number,
                "type": init.document_type,
                "country": init.document_country,
            },
            "comments": [],
        },
        "technicalData": {"ip": null},
    })
}

/// The screening result: the `data` of the watchlist-screening answer, and
/// the body of the watchlist-screening webhook (`outbox.rs`).
pub(crate) fn watchlist_data(session: &Session) -> Value {
    let year = session
        .init
        .date_of_birth
        .as_deref()
        .and_then(|date| date.get(..4))
        .filter(|year| year.bytes().all(|b| b.is_ascii_digit()));
    json!({
        "attemptId": session
            .latest_attempt()
            .map_or(&session.first_attempt_id, |a| &a.id),
        "sessionId": session.id,
        "vendorData": session.vendor_data,
        "endUserId": session.end_user_id,
        "checkType": "initial_result",
        "matchStatus": "no_match",
        "reviewStatus": "no_match",
        "searchTerm": {"name": full_name(&session.init), "year": year},
        "totalHits": 0,
        "createdAt": session.created_at,
        "hits": [],
    })
}

/// First and last name joined, when either is given.
pub(crate) fn full_name(init: &InitData) -> Option<String> {
    let parts: Vec<&str> = [init.first_name.as_deref(), init.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
