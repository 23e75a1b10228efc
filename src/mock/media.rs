//! The media resource: upload, the two lists (a session's latest attempt, one
//! attempt) and the download of one medium; upload validation and the media
//! views. Decoding the uploaded content is [`content`]'s.

mod content;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::app::Shared;
use super::errors::ApiError;
use super::extract::{JsonBody, SignedId, SignedJson};
use super::response::signed_bytes;
use super::state::{Medium, Refusal, Upload};
use content::CONTEXTS;

// Handlers.

/// `POST /v1/sessions/{id}/media`, signed over the raw body
/// (docs/veriff-api.md, section 4.4): the content is decoded (data URI or
/// bare base64) and kept; 201 with `{"status":"success","image":{...}}` (the
/// wrapper is [DOC-old], the fields [DOC]; the success status is [NF], the
/// mock says 201) while `created`, `started` or `resubmission_requested`; 409
/// once submitted.
pub(crate) async fn upload_media(
    State(app): Shared,
    SignedJson {
        id,
        body: upload,
        scheme,
        held: _held,
    }: SignedJson<Upload>,
) -> Result<Response, ApiError> {
    let medium = app
        .store
        .add_medium(&id, upload)
        .map_err(|refusal| match refusal {
            Refusal::AlreadySubmitted => ApiError::conflict(),
            other => other.into(),
        })?;
    Ok(app.signed(
        scheme,
        StatusCode::CREATED,
        &json!({"status": "success", "image": medium_json(&app.host, &medium)}),
    ))
}

/// `GET /v1/sessions/{id}/media`, signed over the session id: the media of
/// the most recent attempt (docs/veriff-api.md, section 4.5 [DOC]); empty
/// lists before any upload.
pub(crate) async fn session_media(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    let media = app.store.session_media(&id).ok_or(ApiError::not_found())?;
    Ok(app.signed(scheme, StatusCode::OK, &media_list(&app.host, &media, true)))
}

/// `GET /v1/attempts/{id}/media`, signed over the **attempt** id
/// (docs/veriff-api.md, section 4.8 [DOC]); an unknown attempt is 404 (mock
/// choice, the page documents no errors).
pub(crate) async fn attempt_media(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    let media = app.store.attempt_media(&id).ok_or(ApiError::not_found())?;
    Ok(app.signed(
        scheme,
        StatusCode::OK,
        &media_list(&app.host, &media, false),
    ))
}

/// `GET /v1/media/{id}`, signed over the **media** id (docs/veriff-api.md,
/// section 4.6 [DOC]): the uploaded bytes with their content type, signed over
/// the raw bytes, with `x-auth-client`/`x-hmac-signature` and their documented
/// `vrf-*` twins. An id that is not a UUID is the page's 400
/// `{"status":"fail","code":"1101","message":"Validation failed"}`; an unknown
/// one is 404 (mock choice, [NF]).
pub(crate) async fn download_media(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(ApiError::validation_failed());
    }
    let medium = app.store.medium(&id).ok_or(ApiError::not_found())?;
    let content_type = HeaderValue::from_str(&medium.mimetype)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut signing = app.signing(scheme);
    signing.vrf = true;
    Ok(signed_bytes(
        signing,
        StatusCode::OK,
        content_type,
        medium.bytes,
    ))
}

// Views.

/// A medium's metadata (docs/veriff-api.md, section 4.5 [DOC] item fields):
/// `name` is the context, `timestamp` is deprecated and always `null`, `url`
/// downloads it.
fn medium_json(host: &str, medium: &Medium) -> Value {
    json!({
        "id": medium.id,
        "name": medium.context,
        "context": medium.context,
        "timestamp": null,
        "size": medium.bytes.len(),
        "mimetype": medium.mimetype,
        "url": format!("{host}/v1/media/{}", medium.id),
        "sessionId": medium.session_id,
    })
}

/// The list body: `images` in upload order, `videos` always empty (a test
/// integration returns no videos, docs/veriff-api.md, section 4.5 [DOC]); the
/// session list also has the newest docs' `nfcDocuments`, empty.
fn media_list(host: &str, media: &[Medium], with_nfc: bool) -> Value {
    let images: Vec<Value> = media.iter().map(|m| medium_json(host, m)).collect();
    let mut body = json!({"status": "success", "images": images, "videos": []});
    if with_nfc {
        body["nfcDocuments"] = json!([]);
    }
    body
}

// Validation.

impl JsonBody for Upload {
    /// Mock choice: unparsable JSON on media.
    const NOT_JSON: ApiError = ApiError::malformed_json();

    /// The body ([`media_image`]), then its content ([`content::decode`]). The
    /// parsed body (which holds a copy of the content) is freed before the
    /// medium is stored.
    fn validate(json: Value) -> Result<Self, ApiError> {
        let image = media_image(&json)?;
        let decoded = content::decode(image.content)?;
        Ok(Upload {
            context: image.context.to_owned(),
            mimetype: decoded.mimetype,
            bytes: decoded.bytes,
        })
    }
}

/// A validated media upload, its content not yet decoded.
#[derive(Debug, PartialEq)]
struct Image<'a> {
    context: &'a str,
    content: &'a str,
}

/// `POST /v1/sessions/{id}/media` body `{"image":{"context","content","timestamp"?}}`
/// (docs/veriff-api.md, section 4.4 [DOC]), checked in this order:
///
/// - body not an object, `image` not an object: 400 code 1104;
/// - `image` or `image.context` missing (or null): 400 code 1403 "image
///   property missing";
/// - `image.context` not one of the documented contexts (docs/veriff-api.md, section 4.5), or
///   not a string: 400 code 1402;
/// - `image.content` missing, null or empty: 400 code 1400 "image data not
///   found"; not a string: 400 code 1401;
/// - `image.timestamp` neither a string nor null: 400 code 1104 (it is
///   deprecated and never echoed).
///
/// Decoding the content (1400, 1401, size) is [`content::decode`]'s.
fn media_image(body: &Value) -> Result<Image<'_>, ApiError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
