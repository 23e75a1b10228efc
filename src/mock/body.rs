//! Reading request bodies: size limit, content type and JSON parsing, all
//! answered with JSON errors instead of axum's plain-text rejections.

use std::future::poll_fn;
use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::responses::ApiError;

/// Reads the whole body, refusing (JSON 413) anything over `limit` bytes: first
/// by the declared `Content-Length`, then by counting what actually arrives.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::payload_too_large());
    }
    let mut collected: Vec<u8> = Vec::new();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        // A transport error mid-body: the client is gone or broke framing; it
        // gets a JSON 400 if it is still listening.
        let frame = frame.map_err(|_| ApiError::malformed_json())?;
        if let Ok(data) = frame.into_data() {
            if collected.len().saturating_add(data.len()) > limit {
                return Err(ApiError::payload_too_large());
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(collected))
}

/// Api notes: "Authentication": `Content-Type: application/json` on requests
/// with a body. Mock choice: a content type that is not JSON
/// (`application/json` or `application/*+json`, parameters ignored) gets 415;
/// a missing content type is accepted only with an empty body, which then
/// fails JSON parsing like any other non-JSON body.
pub(crate) fn check_json_content_type(headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    match headers.get(header::CONTENT_TYPE) {
        None if body.is_empty() => Ok(()),
        None => Err(ApiError::unsupported_media_type()),
        Some(value) => {
            let essence = value
                .to_str()
                .ok()
                .and_then(|text| text.split(';').next())
                .map(|mime| mime.trim().to_ascii_lowercase())
                .unwrap_or_default();
            let is_json = essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"));
            if is_json {
                Ok(())
            } else {
                Err(ApiError::unsupported_media_type())
            }
        }
    }
}

/// Parses a JSON body; `None` when it is not JSON.
pub(crate) fn parse_json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_type(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(value).expect("test header"),
        );
        map
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(check_json_content_type(&with_type("application/json"), b"{}").is_ok());
        assert!(
            check_json_content_type(&with_type("Application/JSON; charset=utf-8"), b"{}").is_ok()
        );
        assert!(check_json_content_type(&with_type("application/merge-patch+json"), b"{}").is_ok());
        assert!(check_json_content_type(&with_type("text/plain"), b"{}").is_err());
        assert!(check_json_content_type(&HeaderMap::new(), b"{}").is_err());
        assert!(check_json_content_type(&HeaderMap::new(), b"").is_ok());
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_even_without_a_length() {
        let err = read_limited(&HeaderMap::new(), Body::from(vec![b'a'; 11]), 10).await;
        assert_eq!(err, Err(ApiError::payload_too_large()));
        let ok = read_limited(&HeaderMap::new(), Body::from(vec![b'a'; 10]), 10).await;
        assert_eq!(ok.map(|b| b.len()), Ok(10));
    }
}
