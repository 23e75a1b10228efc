//! `expect.signature`: a response's `x-hmac-signature` must verify over the
//! exact response body bytes with the shared secret.

use super::{CheckKind, Mismatch};
use crate::record::exchange::Response;
use crate::signing::{SIGNATURE_HEADER, verify};
use crate::spec::model::{Located, SignatureExpect};

/// The signature mismatch, if any.
///
/// ```
/// use veriff_conformance::check::signature::check;
/// use veriff_conformance::record::exchange::Response;
/// use veriff_conformance::signing::sign;
/// use veriff_conformance::spec::model::{Located, SignatureExpect};
///
/// let body = br#"{"status":"success"}"#.to_vec();
/// let good = Response::new(200, vec![("x-hmac-signature".into(), sign("s3cret", &body))], body.clone());
/// let required = Located { value: SignatureExpect::Required, at: 0..1 };
/// assert!(check(&required, &good, "s3cret").is_none());
/// let unsigned = Response::new(200, vec![], body);
/// assert!(check(&required, &unsigned, "s3cret").is_some());
/// ```
pub fn check(
    rule: &Located<SignatureExpect>,
    response: &Response,
    secret: &str,
) -> Option<Mismatch> {
    let header = response.header(SIGNATURE_HEADER);
    let mismatch = |actual: String| Mismatch {
        check: CheckKind::Signature,
        path: SIGNATURE_HEADER.to_string(),
        expected:
            "the lowercase hex HMAC-SHA256 of the response body bytes under the shared secret"
                .into(),
        actual,
        at: rule.at.clone(),
    };
    match (rule.value, header) {
        (SignatureExpect::Ignore, _) | (SignatureExpect::IfPresent, None) => None,
        (SignatureExpect::Required, None) => Some(mismatch("no x-hmac-signature header".into())),
        // Veriff documents lowercase hex; `verify` accepts either case, so the
        // case is checked here: an uppercase signature is drift worth seeing.
        (_, Some(sig)) if verify(secret, &response.body, &sig) => (sig != sig.to_ascii_lowercase()
            || sig.trim() != sig)
            .then(|| mismatch(format!("{sig:?}, which verifies but is not lowercase hex"))),
        (_, Some(sig)) => Some(mismatch(format!(
            "{sig:?}, which does not verify over the {} body bytes received",
            response.body.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::sign;

    fn if_present() -> Located<SignatureExpect> {
        Located {
            value: SignatureExpect::IfPresent,
            at: 0..1,
        }
    }

    #[test]
    fn a_signature_over_other_bytes_is_reported_even_when_not_required() {
        let r = Response::new(
            200,
            vec![("X-HMAC-Signature".into(), sign("k", b"{}"))],
            b"{ }".to_vec(),
        );
        let m = check(&if_present(), &r, "k").unwrap();
        assert!(
            m.actual.contains("does not verify over the 3 body bytes"),
            "{}",
            m.actual
        );
    }

    #[test]
    fn an_unsigned_response_passes_unless_a_signature_is_required() {
        let r = Response::new(200, vec![], b"{}".to_vec());
        assert!(check(&if_present(), &r, "k").is_none());
    }

    #[test]
    fn an_uppercase_signature_verifies_but_is_reported() {
        let sig = sign("k", b"{}").to_uppercase();
        let r = Response::new(200, vec![("x-hmac-signature".into(), sig)], b"{}".to_vec());
        let m = check(&if_present(), &r, "k").unwrap();
        assert!(
            m.actual
                .ends_with("which verifies but is not lowercase hex"),
            "{}",
            m.actual
        );
    }

    #[test]
    fn ignore_skips_even_a_bad_signature() {
        let r = Response::new(
            200,
            vec![("x-hmac-signature".into(), "00".into())],
            b"{}".to_vec(),
        );
        assert!(
            check(
                &Located {
                    value: SignatureExpect::Ignore,
                    at: 0..1
                },
                &r,
                "k"
            )
            .is_none()
        );
    }
}
