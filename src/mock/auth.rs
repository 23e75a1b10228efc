//! Request authentication: the API key header and the HMAC signature header.

use axum::http::HeaderMap;

use super::responses::ApiError;
use crate::signing::{API_KEY_HEADER, SIGNATURE_HEADER, verify};

/// Checks `X-AUTH-CLIENT` (api notes: "Authentication": required on every request).
///
/// - missing or empty: 401, code 1101 (endpoint page, "x-auth-client header not provided");
/// - present but not the configured key: 401, code 1803 "Integration not found"
///   (api notes: credentials table; the endpoint page is silent).
pub(crate) fn check_api_key(headers: &HeaderMap, api_key: &str) -> Result<(), ApiError> {
    let Some(value) = headers.get(API_KEY_HEADER) else {
        return Err(ApiError::missing_api_key());
    };
    if value.is_empty() {
        return Err(ApiError::missing_api_key());
    }
    if value.as_bytes() == api_key.as_bytes() {
        Ok(())
    } else {
        Err(ApiError::integration_not_found())
    }
}

/// Checks `X-HMAC-SIGNATURE` over `payload` (the raw body bytes for POST and
/// PATCH, the session id for GET; api notes: "Authentication"). Missing, not
/// hex, or not matching: 401, code 1812 (endpoint page).
pub(crate) fn check_signature(
    headers: &HeaderMap,
    shared_secret: &str,
    payload: &[u8],
) -> Result<(), ApiError> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .ok_or(ApiError::invalid_signature())?;
    if verify(shared_secret, payload, signature) {
        Ok(())
    } else {
        Err(ApiError::invalid_signature())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::sign;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("test header"));
        }
        map
    }

    #[test]
    fn missing_empty_and_wrong_keys_are_told_apart() {
        assert_eq!(
            check_api_key(&headers(&[]), "k"),
            Err(ApiError::missing_api_key())
        );
        assert_eq!(
            check_api_key(&headers(&[(API_KEY_HEADER, "")]), "k"),
            Err(ApiError::missing_api_key())
        );
        assert_eq!(
            check_api_key(&headers(&[(API_KEY_HEADER, "x")]), "k"),
            Err(ApiError::integration_not_found())
        );
        assert_eq!(
            check_api_key(&headers(&[(API_KEY_HEADER, "k")]), "k"),
            Ok(())
        );
    }

    #[test]
    fn signature_must_be_present_hex_and_matching() {
        let good = sign("s", b"body");
        assert_eq!(
            check_signature(&headers(&[(SIGNATURE_HEADER, &good)]), "s", b"body"),
            Ok(())
        );
        for bad in [None, Some("zz"), Some(&sign("s", b"other")[..])] {
            let map = match bad {
                Some(value) => headers(&[(SIGNATURE_HEADER, value)]),
                None => headers(&[]),
            };
            assert_eq!(
                check_signature(&map, "s", b"body"),
                Err(ApiError::invalid_signature())
            );
        }
    }
}
