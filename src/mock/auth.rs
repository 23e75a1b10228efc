//! Request authentication: the API key header and the HMAC signature header.

use axum::http::HeaderMap;

use super::errors::ApiError;
use crate::signing::{
    API_KEY_HEADER, LEGACY_SIGNATURE_HEADER, SIGNATURE_HEADER, legacy_digest, sign, verify,
};

/// What a request's signature covers, for the legacy scheme's two error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signed {
    /// The raw request body (POST, PATCH): legacy mismatch is 1814.
    Body,
    /// The id in the path (GET, DELETE): legacy mismatch is 1813.
    Id,
}

/// Which scheme a request was signed with; the response answers in kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Hmac,
    Legacy,
}

/// The scheme a create request used, if any; create needs no signature
/// (docs/veriff-api.md, section 2.3) and the mock does not check one, but answers a legacy
/// `X-SIGNATURE` with an `x-signature` (docs/veriff-api.md, section 2.2).
pub(crate) fn requested_scheme(headers: &HeaderMap) -> Scheme {
    if headers.get(SIGNATURE_HEADER).is_none() && headers.get(LEGACY_SIGNATURE_HEADER).is_some() {
        Scheme::Legacy
    } else {
        Scheme::Hmac
    }
}

/// Checks `X-AUTH-CLIENT` (docs/veriff-api.md, section 2: required on every request).
///
/// - missing or empty: 401, code 1101 (PATCH page, "x-auth-client header not provided");
/// - present but not the configured key: 401, code 1803 "Integration not found"
///   (docs/veriff-api.md, section 3.2, credentials table; the PATCH page is silent).
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

/// Checks the request signature over `payload` (the raw body bytes for POST
/// and PATCH, the id in the path for GET and DELETE; docs/veriff-api.md, section 2.3).
///
/// - `X-HMAC-SIGNATURE` (HMAC-SHA256 hex, either case) when present: missing,
///   not hex, or not matching is 401 code 1812 (PATCH page).
/// - otherwise the legacy `X-SIGNATURE`, SHA-256 hex of payload + secret
///   (docs/veriff-api.md, section 2.2 [DOC]): a mismatch is 401 code 1813 (over an id) or 1814
///   (over a body), docs/veriff-api.md, section 3.2 [DOC].
/// - neither: 401 code 1812.
pub(crate) fn check_signature(
    headers: &HeaderMap,
    shared_secret: &str,
    payload: &[u8],
    signed: Signed,
) -> Result<Scheme, ApiError> {
    if let Some(value) = headers.get(SIGNATURE_HEADER) {
        let signature = value.to_str().map_err(|_| ApiError::invalid_signature())?;
        return if verify(shared_secret, payload, signature) {
            Ok(Scheme::Hmac)
        } else {
            Err(ApiError::invalid_signature())
        };
    }
    let Some(value) = headers.get(LEGACY_SIGNATURE_HEADER) else {
        return Err(ApiError::invalid_signature());
    };
    let expected = legacy_digest(shared_secret, payload);
    let given = value.as_bytes().to_ascii_lowercase();
    // Constant time, as for the API key: compare HMACs of the two values.
    if verify(
        shared_secret,
        &given,
        &sign(shared_secret, expected.as_bytes()),
    ) {
        Ok(Scheme::Legacy)
    } else {
        Err(match signed {
            Signed::Body => ApiError::legacy_body_signature(),
            Signed::Id => ApiError::legacy_id_signature(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use sha2::{Digest, Sha256};

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
            check_signature(
                &headers(&[(SIGNATURE_HEADER, &good)]),
                "s",
                b"body",
                Signed::Body
            ),
            Ok(Scheme::Hmac)
        );
        for bad in [None, Some("zz"), Some(&sign("s", b"other")[..])] {
            let map = match bad {
                Some(value) => headers(&[(SIGNATURE_HEADER, value)]),
                None => headers(&[]),
            };
            assert_eq!(
                check_signature(&map, "s", b"body", Signed::Body),
                Err(ApiError::invalid_signature())
            );
        }
    }

    #[test]
    fn legacy_signatures_are_sha256_of_payload_then_secret() {
        // printf '%s' 'abcs' | sha256sum
        let digest = legacy_digest("s", b"abc");
        assert_eq!(
            digest,
            "938074ac65401e8c22ea06b5d9bdcc9c4450b311b080c929aee32e04763f6bf4"
        );
        let sha = |text: &[u8]| hex::encode(Sha256::digest(text));
        for (given, signed) in [
            (&digest, Signed::Body),
            (&digest.to_uppercase(), Signed::Id),
        ] {
            assert_eq!(
                check_signature(
                    &headers(&[(LEGACY_SIGNATURE_HEADER, given)]),
                    "s",
                    b"abc",
                    signed
                ),
                Ok(Scheme::Legacy)
            );
        }
        let wrong = sha(b"abds");
        let map = headers(&[(LEGACY_SIGNATURE_HEADER, &wrong)]);
        assert_eq!(
            check_signature(&map, "s", b"abc", Signed::Body),
            Err(ApiError::legacy_body_signature())
        );
        assert_eq!(
            check_signature(&map, "s", b"abc", Signed::Id),
            Err(ApiError::legacy_id_signature())
        );
        // When both are sent, the HMAC header decides.
        let both = headers(&[(LEGACY_SIGNATURE_HEADER, &digest), (SIGNATURE_HEADER, "00")]);
        assert_eq!(
            check_signature(&both, "s", b"abc", Signed::Body),
            Err(ApiError::invalid_signature())
        );
    }
}
