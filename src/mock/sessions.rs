//! The sessions resource: create, submit (PATCH), delete, and the session
//! URL the end user opens; their body validation and the verification object
//! they answer with.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::app::{App, Shared};
use super::auth::Scheme;
use super::config::MockConfig;
use super::errors::ApiError;
use super::extract::{JsonBody, KeyedJson, SignedId, SignedJson};
use super::flow;
use super::response::json_response;
use super::state::{InitData, NewSession, Session};

// Handlers.

/// `POST /v1/sessions`: API key required, no signature (docs/veriff-api.md,
/// section 2.3); 201 with a `created` session. A session whose
/// `person.firstName` is `Approve`, `Decline` or `Resubmit` is decided at
/// submit (section 7).
pub(crate) async fn create_session(
    State(app): Shared,
    KeyedJson {
        body: new,
        scheme,
        held: _held,
    }: KeyedJson<NewSession>,
) -> Response {
    let session = app.store.create(new);
    session_response(&app, scheme, StatusCode::CREATED, &session)
}

/// `PATCH /v1/sessions/{id}`, signed over the raw body; responses exactly as
/// the PATCH page documents them. Malformed JSON is "Validation failed" too
/// (the page's only 400 for a bad body). A `resubmission_requested` session
/// may be submitted again (docs/veriff-api.md, section 6.1); an `expired` or
/// `abandoned` one is 400 code 1304.
pub(crate) async fn submit_session(
    State(app): Shared,
    SignedJson {
        id,
        scheme,
        held: _held,
        ..
    }: SignedJson<SubmitRequest>,
) -> Result<Response, ApiError> {
    let session = app.store.submit(&id)?;
    Ok(session_response(&app, scheme, StatusCode::OK, &session))
}

/// `DELETE /v1/sessions/{id}`, signed over the session id (docs/veriff-api.md,
/// section 4.3 [DOC]): 200 `{"status":"success","verification":{"id"}}` for a
/// deletable session, after which it is 404 everywhere (its attempts and
/// media too); 400 `{"status":400,"code":"1305",...}` for `submitted` and
/// `review`. Mock choice: no rate limit (Veriff's is 5 an hour, 10 a day).
pub(crate) async fn delete_session(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    app.store.delete(&id)?;
    Ok(app.signed(
        scheme,
        StatusCode::OK,
        &json!({"status": "success", "verification": {"id": id}}),
    ))
}

/// `GET /v/{sessionToken}`: what the end user's browser opens (the session
/// `url`). No authentication. Moves `created` to `started`, and starts a new
/// attempt after a resubmission request (docs/veriff-api.md, section 6.1
/// statuses); `HEAD` only looks. A browser (an `Accept` naming `text/html`)
/// gets the flow page (`flow.rs`); other clients an unsigned JSON answer.
pub(crate) async fn open_session(
    State(app): Shared,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path(token)) = path else {
        return Err(ApiError::not_found());
    };
    let session = app
        .store
        .open(&token, method != Method::HEAD)
        .ok_or(ApiError::not_found())?;
    if flow::wants_html(&headers) {
        return Ok(flow::page(&session, query.as_deref()));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "status": "success",
            "verification": {"id": session.id, "status": session.status.as_str()},
        }),
    ))
}

// Views.

/// A signed success response carrying the session's verification object.
fn session_response(app: &App, scheme: Scheme, status: StatusCode, session: &Session) -> Response {
    app.signed(
        scheme,
        status,
        &json!({"status": "success", "verification": verification(&app.host, session)}),
    )
}

/// The documented verification object (PATCH page, 200 response): `url` is
/// `host` + `/v/` + `sessionToken`.
fn verification(host: &str, session: &Session) -> Value {
    json!({
        "id": session.id,
        "url": format!("{host}/v/{}", session.session_token),
        "vendorData": session.vendor_data,
        "host": host,
        "status": session.status.as_str(),
        "sessionToken": session.session_token,
    })
}

// Validation.

impl JsonBody for NewSession {
    /// Mock choice: unparsable JSON on create.
    const NOT_JSON: ApiError = ApiError::malformed_json();

    fn validate(json: Value) -> Result<Self, ApiError> {
        create_session_body(&json, false)
    }

    fn validate_for(json: Value, config: &MockConfig) -> Result<Self, ApiError> {
        create_session_body(&json, config.allow_http_callback)
    }
}

/// A valid submit body (see [`is_submit_request`]).
pub(crate) struct SubmitRequest;

impl JsonBody for SubmitRequest {
    /// The PATCH page's only 400 for a bad body.
    const NOT_JSON: ApiError = ApiError::validation_failed();

    fn validate(json: Value) -> Result<Self, ApiError> {
        if is_submit_request(&json) {
            Ok(SubmitRequest)
        } else {
            Err(ApiError::validation_failed())
        }
    }
}

/// PATCH page: vendorData "can be max 1,000 characters long".
const MAX_VENDOR_DATA_CHARS: usize = 1_000;

/// Mock choice: longest kept person/document field, so that a
/// session's stored data stays small (sessions are capped by count).
const MAX_FIELD_CHARS: usize = 1_000;

/// `POST /v1/sessions` body `{"verification": {...}}` (docs/veriff-api.md, section 4.1 [DOC]:
/// the `verification` object is required and may be empty).
///
/// - body not an object, or `verification` not an object: 400 code 1104;
/// - `verification` missing or null: 400 code 1102 (mandatory parameters);
/// - `vendorData` longer than 1,000 characters (Unicode scalar values): 400
///   code 1500; neither a string nor null: 400 code 1501 (docs/veriff-api.md, section 3.3);
/// - `callback` not an `https://` URL: 400 code 1302 (docs/veriff-api.md, section 4.1 [DOC]),
///   unless `allow_http` and it is an `http://` one ([`MockConfig::allow_http_callback`]);
///   not a string: 1104;
/// - `endUserId` neither null nor a UUID in its hyphenated form: 400 code
///   1104 (mock choice: the docs say it is a UUID you create, and the
///   decision, webhooks and watchlist return it as one).
///
/// `person.firstName`, `lastName`, `idNumber`, `dateOfBirth`, `gender` and
/// `document.number`, `type`, `country` are kept when they are strings
/// (others are ignored); one longer than 1,000 characters is 400 code 1104
/// (mock choice). Every other field (the legacy `lang`, `features`,
/// `timestamp`, `additionalData` [3P] included) is accepted and ignored.
fn create_session_body(body: &Value, allow_http: bool) -> Result<NewSession, ApiError> {
    let object = body.as_object().ok_or(ApiError::invalid_parameters())?;
    let verification = match object.get("verification") {
        None | Some(Value::Null) => return Err(ApiError::missing_parameters()),
        Some(Value::Object(verification)) => verification,
        Some(_) => return Err(ApiError::invalid_parameters()),
    };
    let vendor_data = match verification.get("vendorData") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.chars().count() <= MAX_VENDOR_DATA_CHARS => {
            Some(text.clone())
        }
        Some(Value::String(_)) => return Err(ApiError::vendor_data_too_long()),
        Some(_) => return Err(ApiError::vendor_data_not_string()),
    };
    let callback = match verification.get("callback") {
        None | Some(Value::Null) => None,
        Some(Value::String(url))
            if starts_with_ignore_case(url, "https://")
                || (allow_http && starts_with_ignore_case(url, "http://")) =>
        {
            Some(url.clone())
        }
        Some(Value::String(_)) => return Err(ApiError::callback_not_https()),
        Some(_) => return Err(ApiError::invalid_parameters()),
    };
    let end_user_id = match verification.get("endUserId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if is_hyphenated_uuid(id) => Some(id.clone()),
        Some(_) => return Err(ApiError::invalid_parameters()),
    };
    let person = verification.get("person").and_then(Value::as_object);
    let document = verification.get("document").and_then(Value::as_object);
    let init = InitData {
        first_name: kept(person, "firstName")?,
        last_name: kept(person, "lastName")?,
        id_number: kept(person, "idNumber")?,
        date_of_birth: kept(person, "dateOfBirth")?,
        gender: kept(person, "gender")?,
        document_number: kept(document, "number")?,
        document_type: kept(document, "type")?,
        document_country: kept(document, "country")?,
    };
    Ok(NewSession {
        vendor_data,
        callback,
        end_user_id,
        init,
    })
}

/// `8-4-4-4-12` hexadecimal digits, as the response schemas require
/// (`Uuid::try_parse` alone also takes the braced, URN and bare forms).
fn is_hyphenated_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// A string field of `object`, if it is one; too long is 1104.
fn kept(object: Option<&Map<String, Value>>, name: &str) -> Result<Option<String>, ApiError> {
    match object.and_then(|object| object.get(name)) {
        Some(Value::String(text)) if text.chars().count() <= MAX_FIELD_CHARS => {
            Ok(Some(text.clone()))
        }
        Some(Value::String(_)) => Err(ApiError::invalid_parameters()),
        _ => Ok(None),
    }
}

/// `PATCH /v1/sessions/{id}`: the body must contain a `verification` object
/// whose `status` is `submitted`, "currently the only supported status update"
/// (PATCH page, docs/veriff-api.md, section 4.2). Other fields (the legacy
/// `frontState` and `timestamp` [3P] included) are ignored.
fn is_submit_request(body: &Value) -> bool {
    body.get("verification")
        .filter(|verification| verification.is_object())
        .and_then(|verification| verification.get("status"))
        .and_then(Value::as_str)
        == Some("submitted")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vendor(body: Value) -> Result<Option<String>, ApiError> {
        create_session_body(&body, false).map(|new| new.vendor_data)
    }

    #[test]
    fn create_bodies() {
        assert_eq!(vendor(json!({"verification": {}})), Ok(None));
        assert_eq!(
            vendor(json!({"verification": {"vendorData": "v"}})),
            Ok(Some("v".into()))
        );
        let longest = "é".repeat(1_000);
        assert_eq!(
            vendor(json!({"verification": {"vendorData": longest}})),
            Ok(Some("é".repeat(1_000)))
        );
        assert_eq!(
            vendor(json!({"verification": {"vendorData": "a".repeat(1_001)}})),
            Err(ApiError::vendor_data_too_long())
        );
        assert_eq!(
            vendor(json!({"verification": {"vendorData": 7}})),
            Err(ApiError::vendor_data_not_string())
        );
        for missing in [json!({}), json!({"verification": null})] {
            assert_eq!(vendor(missing), Err(ApiError::missing_parameters()));
        }
        for invalid in [json!([]), json!({"verification": "x"})] {
            assert_eq!(vendor(invalid), Err(ApiError::invalid_parameters()));
        }
        assert_eq!(
            vendor(json!({"verification": {"callback": "http://example.com"}})),
            Err(ApiError::callback_not_https())
        );
        assert_eq!(
            vendor(json!({"verification": {"callback": "HTTPS://example.com"}})),
            Ok(None)
        );
    }

    #[test]
    fn legacy_create_fields_and_init_data() {
        let body = json!({"verification": {
            "person": {"firstName": "Approve", "lastName": "Smith", "idNumber": 5},
            "document": {"number": "B01234567", "type": "ID_CARD", "country": "EE"},
            "additionalData": {"citizenship": "EE"},
            "lang": "en", "features": ["selfid"], "timestamp": "2016-05-19T08:30:25.597Z",
            "endUserId": "c1de400b-1877-4b0b-9ed3-1b1d5c0b8d3e",
        }});
        let new = create_session_body(&body, false).expect("accepted");
        assert_eq!(new.init.first_name.as_deref(), Some("Approve"));
        assert_eq!(new.init.id_number, None);
        assert_eq!(new.init.document_country.as_deref(), Some("EE"));
        assert_eq!(
            new.end_user_id.as_deref(),
            Some("c1de400b-1877-4b0b-9ed3-1b1d5c0b8d3e")
        );
        let long = json!({"verification": {"person": {"lastName": "x".repeat(1_001)}}});
        assert_eq!(
            create_session_body(&long, false),
            Err(ApiError::invalid_parameters())
        );
        for bad_id in [
            json!(12),
            json!("g3334490-d6c5-4266-9449-5fec9fcf0473"),
            json!("c1de400b18774b0b9ed31b1d5c0b8d3e"),
            json!("{c1de400b-1877-4b0b-9ed3-1b1d5c0b8d3e}"),
            json!("user-42"),
        ] {
            let body = json!({"verification": {"endUserId": bad_id}});
            assert_eq!(
                create_session_body(&body, false),
                Err(ApiError::invalid_parameters()),
                "{bad_id}"
            );
        }
        let upper = json!({"verification": {"endUserId": "C1DE400B-1877-4B0B-9ED3-1B1D5C0B8D3E"}});
        assert!(create_session_body(&upper, false).is_ok());
        let null = json!({"verification": {"endUserId": null}});
        let new = create_session_body(&null, false).expect("null is taken as absent");
        assert_eq!(new.end_user_id, None);
    }

    #[test]
    fn submit_bodies() {
        assert!(is_submit_request(
            &json!({"verification": {"status": "submitted"}})
        ));
        assert!(is_submit_request(
            &json!({"verification": {"frontState": "done", "status": "submitted", "timestamp": "2024-01-01T00:00:00.000Z"}})
        ));
        assert!(!is_submit_request(
            &json!({"verification": {"status": "approved"}})
        ));
        assert!(!is_submit_request(&json!({"verification": {}})));
        assert!(!is_submit_request(&json!({"status": "submitted"})));
        assert!(!is_submit_request(&json!([])));
    }
}
