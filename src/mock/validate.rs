//! Body validation for each route, on already-parsed JSON.

use serde_json::{Map, Value};

use super::media::CONTEXTS;
use super::responses::ApiError;
use super::state::{InitData, NewSession};

/// Endpoint page: vendorData "can be max 1,000 characters long".
pub(crate) const MAX_VENDOR_DATA_CHARS: usize = 1_000;

/// Mock choice: longest kept person/document field or `endUserId`, so that a
/// session's stored data stays small (sessions are capped by count).
pub(crate) const MAX_FIELD_CHARS: usize = 1_000;

/// `POST /v1/sessions` body `{"verification": {...}}` (reference §4.1 [DOC]:
/// the `verification` object is required and may be empty).
///
/// - body not an object, or `verification` not an object: 400 code 1104;
/// - `verification` missing or null: 400 code 1102 (mandatory parameters);
/// - `vendorData` longer than 1,000 characters (Unicode scalar values): 400
///   code 1500; neither a string nor null: 400 code 1501 (reference §3.3);
/// - `callback` not an `https://` URL: 400 code 1302 (reference §4.1 [DOC]);
///   not a string: 1104;
/// - `endUserId` neither a string nor null, or longer than 1,000 characters:
///   400 code 1104 (mock choice; its UUID form is not checked).
///
/// `person.firstName`, `lastName`, `idNumber`, `dateOfBirth`, `gender` and
/// `document.number`, `type`, `country` are kept when they are strings
/// (others are ignored); one longer than 1,000 characters is 400 code 1104
/// (mock choice). Every other field (the legacy `lang`, `features`,
/// `timestamp`, `additionalData` [3P] included) is accepted and ignored.
pub(crate) fn create_session(body: &Value) -> Result<NewSession, ApiError> {
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
    match verification.get("callback") {
        None | Some(Value::Null) => {}
        Some(Value::String(url)) if starts_with_ignore_case(url, "https://") => {}
        Some(Value::String(_)) => return Err(ApiError::callback_not_https()),
        Some(_) => return Err(ApiError::invalid_parameters()),
    }
    let end_user_id = match verification.get("endUserId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if id.chars().count() <= MAX_FIELD_CHARS => Some(id.clone()),
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
        end_user_id,
        init,
    })
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

/// A validated media upload, its content not yet decoded.
#[derive(Debug, PartialEq)]
pub(crate) struct Image<'a> {
    pub(crate) context: &'a str,
    pub(crate) content: &'a str,
}

/// `POST /v1/sessions/{id}/media` body `{"image":{"context","content","timestamp"?}}`
/// (reference §4.4 [DOC]), checked in this order:
///
/// - body not an object, `image` not an object: 400 code 1104;
/// - `image` or `image.context` missing (or null): 400 code 1403 "image
///   property missing";
/// - `image.context` not one of the documented contexts (reference §4.5), or
///   not a string: 400 code 1402;
/// - `image.content` missing, null or empty: 400 code 1400 "image data not
///   found"; not a string: 400 code 1401;
/// - `image.timestamp` neither a string nor null: 400 code 1104 (it is
///   deprecated and never echoed).
///
/// Decoding the content (1400, 1401, size) is [`super::media::decode`]'s.
pub(crate) fn media_image(body: &Value) -> Result<Image<'_>, ApiError> {
    let object = body.as_object().ok_or(ApiError::invalid_parameters())?;
    let image = match object.get("image") {
        None | Some(Value::Null) => return Err(ApiError::image_property_missing()),
        Some(Value::Object(image)) => image,
        Some(_) => return Err(ApiError::invalid_parameters()),
    };
    let context = match image.get("context") {
        None | Some(Value::Null) => return Err(ApiError::image_property_missing()),
        Some(Value::String(context)) if CONTEXTS.contains(&context.as_str()) => context,
        Some(_) => return Err(ApiError::image_context_not_supported()),
    };
    let content = match image.get("content") {
        None | Some(Value::Null) => return Err(ApiError::image_data_not_found()),
        Some(Value::String(content)) if content.is_empty() => {
            return Err(ApiError::image_data_not_found());
        }
        Some(Value::String(content)) => content,
        Some(_) => return Err(ApiError::image_not_base64()),
    };
    match image.get("timestamp") {
        None | Some(Value::Null | Value::String(_)) => {}
        Some(_) => return Err(ApiError::invalid_parameters()),
    }
    Ok(Image { context, content })
}

/// `PATCH /v1/sessions/{id}`: the body must contain a `verification` object
/// whose `status` is `submitted`, "currently the only supported status update"
/// (endpoint page). Other fields (the legacy `frontState` and `timestamp`
/// [3P] included) are ignored.
pub(crate) fn is_submit_request(body: &Value) -> bool {
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
        create_session(&body).map(|new| new.vendor_data)
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
        let new = create_session(&body).expect("accepted");
        assert_eq!(new.init.first_name.as_deref(), Some("Approve"));
        assert_eq!(new.init.id_number, None);
        assert_eq!(new.init.document_country.as_deref(), Some("EE"));
        assert_eq!(
            new.end_user_id.as_deref(),
            Some("c1de400b-1877-4b0b-9ed3-1b1d5c0b8d3e")
        );
        let long = json!({"verification": {"person": {"lastName": "x".repeat(1_001)}}});
        assert_eq!(create_session(&long), Err(ApiError::invalid_parameters()));
        let bad_id = json!({"verification": {"endUserId": 12}});
        assert_eq!(create_session(&bad_id), Err(ApiError::invalid_parameters()));
    }

    #[test]
    fn media_bodies() {
        let ok = json!({"image": {"context": "face", "content": "data:x"}});
        assert_eq!(
            media_image(&ok),
            Ok(Image {
                context: "face",
                content: "data:x"
            })
        );
        let cases = [
            (json!({}), ApiError::image_property_missing()),
            (
                json!({"image": {"content": "x"}}),
                ApiError::image_property_missing(),
            ),
            (
                json!({"image": {"context": "selfie", "content": "x"}}),
                ApiError::image_context_not_supported(),
            ),
            (
                json!({"image": {"context": 1, "content": "x"}}),
                ApiError::image_context_not_supported(),
            ),
            (
                json!({"image": {"context": "face"}}),
                ApiError::image_data_not_found(),
            ),
            (
                json!({"image": {"context": "face", "content": ""}}),
                ApiError::image_data_not_found(),
            ),
            (
                json!({"image": {"context": "face", "content": 7}}),
                ApiError::image_not_base64(),
            ),
            (
                json!({"image": {"context": "face", "content": "x", "timestamp": 5}}),
                ApiError::invalid_parameters(),
            ),
            (json!({"image": "face"}), ApiError::invalid_parameters()),
        ];
        for (body, error) in cases {
            assert_eq!(media_image(&body), Err(error), "{body}");
        }
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
