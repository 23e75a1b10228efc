//! Unsigned JSON responses, and response signing: every success answer of a
//! `/v1` route is signed over its exact bytes with the shared secret.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::signing::{
    API_KEY_HEADER, LEGACY_SIGNATURE_HEADER, SIGNATURE_HEADER, legacy_digest, sign,
};

/// Serializes `body` once; falls back to the documented 500 body (which cannot
/// fail to serialize) rather than panicking.
pub(crate) fn to_bytes(body: &Value) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_else(|_| {
        br#"{"status":"fail","code":"1101","message":"Something went wrong"}"#.to_vec()
    })
}

/// An unsigned JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        to_bytes(body),
    )
        .into_response()
}

/// How a response is signed: which headers carry the API key and signature.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Signing<'a> {
    pub(crate) api_key: &'a str,
    pub(crate) shared_secret: &'a str,
    /// The request was signed with the legacy `X-SIGNATURE`: the response also
    /// carries `x-signature` = SHA-256(body + secret) (docs/veriff-api.md, section 2.2 [DOC]:
    /// "Veriff answers with X-SIGNATURE").
    pub(crate) legacy: bool,
    /// Also send `vrf-auth-client` and `vrf-hmac-signature`, with the same
    /// values (docs/veriff-api.md, section 4.6 [DOC], `GET /v1/media/{id}` only).
    pub(crate) vrf: bool,
}

/// A signed JSON response (docs/veriff-api.md, section 2.4: "Responses are
/// signed too"): serialize once, sign those bytes with the shared secret, send those
/// bytes, with `x-auth-client` and `x-hmac-signature` headers.
pub(crate) fn signed_response(signing: Signing<'_>, status: StatusCode, body: &Value) -> Response {
    signed_bytes(
        signing,
        status,
        HeaderValue::from_static("application/json"),
        to_bytes(body),
    )
}

/// A response of `bytes` (JSON or a raw medium) with `content_type`, signed
/// over exactly those bytes (docs/veriff-api.md, section 2.4: for a binary body the HMAC covers
/// the raw bytes).
pub(crate) fn signed_bytes(
    signing: Signing<'_>,
    status: StatusCode,
    content_type: HeaderValue,
    bytes: impl Into<axum::body::Bytes>,
) -> Response {
    let bytes: axum::body::Bytes = bytes.into();
    let signature = sign(signing.shared_secret, &bytes);
    let legacy = signing
        .legacy
        .then(|| legacy_digest(signing.shared_secret, &bytes));
    let mut response = (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response();
    let headers = response.headers_mut();
    // An API key that cannot be a header value is simply not echoed.
    if let Ok(value) = HeaderValue::from_str(signing.api_key) {
        if signing.vrf {
            headers.insert(HeaderName::from_static(VRF_API_KEY_HEADER), value.clone());
        }
        headers.insert(HeaderName::from_static(API_KEY_HEADER), value);
    }
    if let Ok(value) = HeaderValue::from_str(&signature) {
        if signing.vrf {
            headers.insert(HeaderName::from_static(VRF_SIGNATURE_HEADER), value.clone());
        }
        headers.insert(HeaderName::from_static(SIGNATURE_HEADER), value);
    }
    if let Some(Ok(value)) = legacy.map(|digest| HeaderValue::from_str(&digest)) {
        headers.insert(HeaderName::from_static(LEGACY_SIGNATURE_HEADER), value);
    }
    response
}

/// docs/veriff-api.md, section 4.6 [DOC]: `GET /v1/media/{id}` also documents these, "same as"
/// `x-auth-client` and `x-hmac-signature`.
const VRF_API_KEY_HEADER: &str = "vrf-auth-client";
const VRF_SIGNATURE_HEADER: &str = "vrf-hmac-signature";
