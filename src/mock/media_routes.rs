//! Media routes: upload, the two lists, and the download of one medium.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::handlers::{App, Shared, SignedId, path_id, refusal_error};
use super::media;
use super::responses::{ApiError, signed_bytes};
use super::state::{Medium, Refusal, Upload};
use super::validate;

impl App {
    /// A medium's metadata (reference §4.5 [DOC] item fields): `name` is the
    /// context, `timestamp` is deprecated and always `null`, `url` downloads it.
    fn medium_json(&self, medium: &Medium) -> Value {
        json!({
            "id": medium.id,
            "name": medium.context,
            "context": medium.context,
            "timestamp": null,
            "size": medium.bytes.len(),
            "mimetype": medium.mimetype,
            "url": format!("{}/v1/media/{}", self.host, medium.id),
            "sessionId": medium.session_id,
        })
    }

    /// The list body: `images` in upload order, `videos` always empty (a test
    /// integration returns no videos, reference §4.5 [DOC]); the session list
    /// also has the newest docs' `nfcDocuments`, empty.
    fn media_list(&self, media: &[Medium], with_nfc: bool) -> Value {
        let images: Vec<Value> = media.iter().map(|m| self.medium_json(m)).collect();
        let mut body = json!({"status": "success", "images": images, "videos": []});
        if with_nfc {
            body["nfcDocuments"] = json!([]);
        }
        body
    }
}

/// `POST /v1/sessions/{id}/media`, signed over the raw body (reference §4.4):
/// the content is decoded (data URI or bare base64) and kept; 201 with
/// `{"status":"success","image":{...}}` (the wrapper is [DOC-old], the fields
/// [DOC]; the success status is [NF], the mock says 201) while `created`,
/// `started` or `resubmission_requested`; 409 once submitted.
pub(crate) async fn upload_media(
    State(app): Shared,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let id = path_id(path, &uri);
    let (json, _held, scheme) = app
        .signed_json_body(&id, &headers, body, ApiError::malformed_json())
        .await?;
    let image = validate::media_image(&json)?;
    let decoded = media::decode(image.content)?;
    let upload = Upload {
        context: image.context.to_owned(),
        mimetype: decoded.mimetype,
        bytes: decoded.bytes,
    };
    // Free the parsed body (it holds a copy of the content) before storing.
    drop(json);
    let medium = app
        .store
        .add_medium(&id, upload)
        .map_err(|refusal| match refusal {
            Refusal::AlreadySubmitted => ApiError::conflict(),
            other => refusal_error(other),
        })?;
    Ok(app.signed(
        scheme,
        StatusCode::CREATED,
        &json!({"status": "success", "image": app.medium_json(&medium)}),
    ))
}

/// `GET /v1/sessions/{id}/media`, signed over the session id: the media of
/// the most recent attempt (reference §4.5 [DOC]); empty lists before any
/// upload.
pub(crate) async fn session_media(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    let media = app.store.session_media(&id).ok_or(ApiError::not_found())?;
    Ok(app.signed(scheme, StatusCode::OK, &app.media_list(&media, true)))
}

/// `GET /v1/attempts/{id}/media`, signed over the **attempt** id (reference
/// §4.8 [DOC]); an unknown attempt is 404 (mock choice, the page documents
/// no errors).
pub(crate) async fn attempt_media(
    State(app): Shared,
    SignedId { id, scheme }: SignedId,
) -> Result<Response, ApiError> {
    let media = app.store.attempt_media(&id).ok_or(ApiError::not_found())?;
    Ok(app.signed(scheme, StatusCode::OK, &app.media_list(&media, false)))
}

/// `GET /v1/media/{id}`, signed over the **media** id (reference §4.6 [DOC]):
/// the uploaded bytes with their content type, signed over the raw bytes,
/// with `x-auth-client`/`x-hmac-signature` and their documented `vrf-*` twins.
/// An id that is not a UUID is the page's 400 `{"status":"fail","code":"1101",
/// "message":"Validation failed"}`; an unknown one is 404 (mock choice, [NF]).
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
