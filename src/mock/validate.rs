//! Body validation for each route, on already-parsed JSON.

use serde_json::Value;

use super::responses::ApiError;

/// Endpoint page: vendorData "can be max 1,000 characters long".
pub(crate) const MAX_VENDOR_DATA_CHARS: usize = 1_000;

/// `POST /v1/sessions` body `{"verification": {...}}` (api notes: "Session
/// lifecycle": may be empty; optional `vendorData`). Returns the vendorData.
///
/// Mock choices: `{}` and `{"verification": null}` mean an empty verification;
/// a body or `verification` that is not an object is 400 code 1104; a
/// `vendorData` that is neither a string nor null, or longer than 1,000
/// characters (Unicode scalar values), is 400 code 1501 (api notes: "1501
/// vendorData limits").
pub(crate) fn create_vendor_data(body: &Value) -> Result<Option<String>, ApiError> {
    let object = body.as_object().ok_or(ApiError::invalid_parameters())?;
    let verification = match object.get("verification") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(verification)) => verification,
        Some(_) => return Err(ApiError::invalid_parameters()),
    };
    match verification.get("vendorData") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.chars().count() <= MAX_VENDOR_DATA_CHARS => {
            Ok(Some(text.clone()))
        }
        Some(_) => Err(ApiError::invalid_vendor_data()),
    }
}

/// A validated media upload.
#[derive(Debug, PartialEq)]
pub(crate) struct Image {
    pub(crate) context: String,
    /// The request's `timestamp`, echoed; `null` when absent.
    pub(crate) timestamp: Value,
}

/// `POST /v1/sessions/{id}/media` body `{"image":{"context","content","timestamp"?}}`
/// (api notes: "Session lifecycle").
///
/// Mock choices: `image`, `image.context` or `image.content` missing (or null)
/// is 400 code 1102 "Mandatory parameters are missing from the request."
/// (api notes: 1102); present with the wrong type, empty strings, or a
/// `timestamp` that is neither a string nor null, is 400 code 1104. The content
/// is not decoded and the context is not checked against a list.
pub(crate) fn media_image(body: &Value) -> Result<Image, ApiError> {
    let object = body.as_object().ok_or(ApiError::invalid_parameters())?;
    let image = match object.get("image") {
        None | Some(Value::Null) => return Err(ApiError::missing_parameters()),
        Some(Value::Object(image)) => image,
        Some(_) => return Err(ApiError::invalid_parameters()),
    };
    let text_field = |name: &str| match image.get(name) {
        None | Some(Value::Null) => Err(ApiError::missing_parameters()),
        Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
        Some(_) => Err(ApiError::invalid_parameters()),
    };
    let context = text_field("context")?;
    text_field("content")?;
    let timestamp = match image.get("timestamp") {
        None => Value::Null,
        Some(value @ (Value::Null | Value::String(_))) => value.clone(),
        Some(_) => return Err(ApiError::invalid_parameters()),
    };
    Ok(Image { context, timestamp })
}

/// `PATCH /v1/sessions/{id}`: the body must contain a `verification` object
/// whose `status` is `submitted`, "currently the only supported status update"
/// (endpoint page). Other fields are ignored.
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

    #[test]
    fn create_bodies() {
        assert_eq!(create_vendor_data(&json!({})), Ok(None));
        assert_eq!(create_vendor_data(&json!({"verification": {}})), Ok(None));
        assert_eq!(
            create_vendor_data(&json!({"verification": {"vendorData": "v"}})),
            Ok(Some("v".into()))
        );
        let longest = "é".repeat(1_000);
        assert_eq!(
            create_vendor_data(&json!({"verification": {"vendorData": longest}})),
            Ok(Some("é".repeat(1_000)))
        );
        assert_eq!(
            create_vendor_data(&json!({"verification": {"vendorData": "a".repeat(1_001)}})),
            Err(ApiError::invalid_vendor_data())
        );
        assert_eq!(
            create_vendor_data(&json!({"verification": {"vendorData": 7}})),
            Err(ApiError::invalid_vendor_data())
        );
        assert_eq!(
            create_vendor_data(&json!([])),
            Err(ApiError::invalid_parameters())
        );
        assert_eq!(
            create_vendor_data(&json!({"verification": "x"})),
            Err(ApiError::invalid_parameters())
        );
    }

    #[test]
    fn media_bodies() {
        assert_eq!(
            media_image(&json!({"image": {"context": "face", "content": "data:x"}})),
            Ok(Image {
                context: "face".into(),
                timestamp: Value::Null
            })
        );
        assert_eq!(media_image(&json!({})), Err(ApiError::missing_parameters()));
        assert_eq!(
            media_image(&json!({"image": {"context": "face"}})),
            Err(ApiError::missing_parameters())
        );
        assert_eq!(
            media_image(&json!({"image": {"context": 1, "content": "x"}})),
            Err(ApiError::invalid_parameters())
        );
    }

    #[test]
    fn submit_bodies() {
        assert!(is_submit_request(
            &json!({"verification": {"status": "submitted"}})
        ));
        assert!(!is_submit_request(
            &json!({"verification": {"status": "approved"}})
        ));
        assert!(!is_submit_request(&json!({"verification": {}})));
        assert!(!is_submit_request(&json!({"status": "submitted"})));
        assert!(!is_submit_request(&json!([])));
    }
}
