//! Veriff's request and response signatures: lowercase hex HMAC-SHA256 of the
//! exact bytes, keyed with the integration's shared secret.
//!
//! Also the legacy `X-SIGNATURE` scheme: lowercase hex SHA-256 of the payload
//! followed by the shared secret.
//!
//! Source: docs/veriff-api.md, section 2.
//!
//! ```
//! use veriff_conformance::signing::{sign, verify};
//!
//! let signature = sign("my-secret", br#"{"verification":{"status":"submitted"}}"#);
//! assert_eq!(signature.len(), 64);
//! assert!(verify("my-secret", br#"{"verification":{"status":"submitted"}}"#, &signature));
//! assert!(!verify("other-secret", br#"{"verification":{"status":"submitted"}}"#, &signature));
//! ```

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Name of the header that carries the signature, on requests and responses.
pub const SIGNATURE_HEADER: &str = "x-hmac-signature";
/// Name of the header that carries the API key.
pub const API_KEY_HEADER: &str = "x-auth-client";
/// Name of the legacy signature header (docs/veriff-api.md, section 2.2
/// \[DOC\]), which carries [`legacy_digest`]. Veriff's public
/// `js-integration-demo` (`app.js`) still signs this way \[3P\].
pub const LEGACY_SIGNATURE_HEADER: &str = "x-signature";

fn mac(secret: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length")
}

/// Lowercase hex HMAC-SHA256 of `payload` keyed with `secret`.
///
/// ```
/// // The known-answer vector from the reference notes.
/// let payload = br#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
/// assert_eq!(
///     veriff_conformance::signing::sign("abcdef12-abcd-abcd-abcd-abcdef012345", payload),
///     "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67",
/// );
/// ```
pub fn sign(secret: &str, payload: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

/// Lowercase hex HMAC-SHA256 of everything `reader` yields, read in pieces:
/// memory stays constant however large the input.
///
/// ```
/// let streamed = veriff_conformance::signing::sign_reader("s", &b"abc"[..]).unwrap();
/// assert_eq!(streamed, veriff_conformance::signing::sign("s", b"abc"));
/// ```
pub fn sign_reader(secret: &str, mut reader: impl std::io::Read) -> std::io::Result<String> {
    let mut mac = mac(secret);
    let mut buf = [0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => mac.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Whether `signature` (hex, either case, surrounding whitespace ignored) is the
/// HMAC-SHA256 of `payload` under `secret`. The comparison runs in constant time.
///
/// ```
/// use veriff_conformance::signing::{sign, verify};
/// let sig = sign("s", b"abc").to_uppercase();
/// assert!(verify("s", b"abc", &sig));
/// assert!(!verify("s", b"abd", &sig));
/// assert!(!verify("s", b"abc", "not hex"));
/// ```
pub fn verify(secret: &str, payload: &[u8], signature: &str) -> bool {
    let Ok(bytes) = hex::decode(signature.trim()) else {
        return false;
    };
    let mut mac = mac(secret);
    mac.update(payload);
    mac.verify_slice(&bytes).is_ok()
}

/// Lowercase hex SHA-256 of `payload` followed by `secret`: the legacy
/// `X-SIGNATURE` (docs/veriff-api.md, section 2.2 \[DOC\]).
///
/// ```
/// use veriff_conformance::signing::legacy_digest;
/// // printf '%s' 'abcs' | sha256sum
/// assert_eq!(
///     legacy_digest("s", b"abc"),
///     "938074ac65401e8c22ea06b5d9bdcc9c4450b311b080c929aee32e04763f6bf4",
/// );
/// ```
pub fn legacy_digest(secret: &str, payload: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(payload);
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// The session id in a path: the segment after `sessions/`.
///
/// ```
/// use veriff_conformance::signing::session_id_in;
/// assert_eq!(session_id_in("/v1/sessions/abc/decision"), Some("abc"));
/// assert_eq!(session_id_in("https://h/v1/sessions/abc?x=1"), Some("abc"));
/// assert_eq!(session_id_in("/v1/sessions"), None);
/// ```
pub fn session_id_in(path: &str) -> Option<&str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let rest = &path[path.find("/sessions/")? + "/sessions/".len()..];
    let id = rest.split('/').next().unwrap_or(rest);
    (!id.is_empty()).then_some(id)
}

/// The id that Veriff signs for a GET or DELETE: the one after the first
/// `sessions`, `attempts` or `media` segment of the path. That is the session
/// id for `/v1/sessions/{id}/...`, the attempt id for
/// `/v1/attempts/{id}/media`, and the media id for `/v1/media/{id}`.
///
/// ```
/// use veriff_conformance::signing::path_id_in;
/// assert_eq!(path_id_in("/v1/sessions/s1/media"), Some("s1"));
/// assert_eq!(path_id_in("/v1/sessions/s1/attempts"), Some("s1"));
/// assert_eq!(path_id_in("/v1/attempts/a1/media"), Some("a1"));
/// assert_eq!(path_id_in("https://h/v1/media/m1?x=1"), Some("m1"));
/// assert_eq!(path_id_in("/v1/sessions"), None);
/// assert_eq!(path_id_in("/v1/media/"), None);
/// ```
pub fn path_id_in(path: &str) -> Option<&str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = path.split_once("://").map_or(path, |(_, rest)| {
        rest.find('/').map_or("", |at| &rest[at..])
    });
    let mut segments = path.split('/');
    segments.find(|s| matches!(*s, "sessions" | "attempts" | "media"))?;
    segments.next().filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "abcdef12-abcd-abcd-abcd-abcdef012345";
    const PAYLOAD: &str = r#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
    const EXPECTED: &str = "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67";

    #[test]
    fn known_answer_vector_from_the_reference_notes_matches() {
        assert_eq!(sign(SECRET, PAYLOAD.as_bytes()), EXPECTED);
    }

    #[test]
    fn known_answer_vector_verifies_and_one_changed_byte_does_not() {
        assert!(verify(SECRET, PAYLOAD.as_bytes(), EXPECTED));
        let changed = PAYLOAD.replace("John", "Jon");
        assert!(!verify(SECRET, changed.as_bytes(), EXPECTED));
    }

    #[test]
    fn truncated_signature_does_not_verify() {
        assert!(!verify(SECRET, PAYLOAD.as_bytes(), &EXPECTED[..62]));
        assert!(!verify(SECRET, PAYLOAD.as_bytes(), ""));
    }
}
