//! Request authentication: the API key header and the HMAC signature header.

use axum::http::HeaderMap;

use super::responses::ApiError;
use crate::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign, verify};

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
    if keys_match(value.as_bytes(), api_key) {
        Ok(())
    } else {
        Err(ApiError::integration_not_found())
    }
}

/// Whether `given` is the configured `api_key`, compared in constant time: `==`
/// on the raw bytes stops at the first difference, and that timing would let a
/// client find the key byte by byte. Instead both values are HMAC-SHA256'd
/// (keyed with the API key itself; any key works) and the two 32-byte digests
/// are compared by `signing::verify`, which uses `hmac`'s constant-time
/// `verify_slice`. Equal digests mean equal values (HMAC-SHA256 collisions are
/// not a practical concern), and the time taken depends only on the length of
/// `given`, which its sender knows anyway, never on where it differs from the key.
fn keys_match(given: &[u8], api_key: &str) -> bool {
    verify(api_key, given, &sign(api_key, api_key.as_bytes()))
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
    fn only_the_exact_key_matches() {
        let key = "0f9c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
        assert!(keys_match(key.as_bytes(), key));
        let near_misses = [
            "",
            "0",
            "0f9c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5",
            "0f9c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b ",
            "0f9c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5c",
            "1f9c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            "0F9C1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B",
        ];
        for given in near_misses {
            assert!(!keys_match(given.as_bytes(), key), "{given:?}");
        }
        // Non-UTF-8 header bytes are simply not the key.
        assert!(!keys_match(b"\xff\xfe", key));
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
