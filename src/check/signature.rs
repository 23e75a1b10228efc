//! `expect.signature`: a response's `x-hmac-signature` must verify over the
//! exact response body bytes with the shared secret.
//!
//! A signature that verifies but is not written as lowercase hex (uppercase
//! digits, or spaces around it) is a [`Warning`], not a failure: Veriff's docs
//! state no case for response signatures (docs/veriff-api.md, section 2.4), so it is odd but
//! not forbidden.

use super::{CheckKind, Mismatch, Warning};
use crate::record::exchange::Response;
use crate::scenario::model::{Located, SignatureExpect};
use crate::signing::{SIGNATURE_HEADER, verify};

/// The signature mismatch, if any.
pub fn check(
    rule: &Located<SignatureExpect>,
    response: &Response,
    secret: &str,
) -> Option<Mismatch> {
    let header = response.header(SIGNATURE_HEADER);
    let mismatch = |actual: String| Mismatch {
        check: CheckKind::Signature,
        path: SIGNATURE_HEADER.to_string(),
        expected: EXPECTED.into(),
        actual,
        at: rule.at.clone(),
    };
    match (rule.value, header) {
        (SignatureExpect::Ignore, _) | (SignatureExpect::IfPresent, None) => None,
        (SignatureExpect::Required, None) => Some(mismatch("no x-hmac-signature header".into())),
        // `verify` accepts either case; the case is only a warning (see [`warning`]).
        (_, Some(sig)) if verify(secret, &response.body, &sig) => None,
        (_, Some(sig)) => Some(mismatch(format!(
            "{sig:?}, which does not verify over the {} body bytes received",
            response.body.len()
        ))),
    }
}

/// The `vrf-hmac-signature` warning, if any: an older rendering of
/// `GET /v1/media/{id}` documents it as the same signature as
/// `x-hmac-signature` (docs/veriff-api.md, sections 2.4 and 4.6, [DOC-old]),
/// so one that is there and does not verify over the body bytes is odd, but
/// not a failure (unless the step says `signature: ignore`, when it is not
/// looked at).
pub fn vrf_warning(
    rule: &Located<SignatureExpect>,
    response: &Response,
    secret: &str,
) -> Option<Warning> {
    let sig = response.header(VRF_SIGNATURE_HEADER)?;
    (rule.value != SignatureExpect::Ignore && !verify(secret, &response.body, &sig)).then(|| {
        Warning {
            check: CheckKind::Signature,
            path: VRF_SIGNATURE_HEADER.to_string(),
            expected: EXPECTED.into(),
            actual: format!(
                "{sig:?}, which does not verify over the {} body bytes received (an older page calls it the same signature as x-hmac-signature)",
                response.body.len()
            ),
            at: rule.at.clone(),
        }
    })
}

/// The header `GET /v1/media/{id}` also signs its body with.
pub const VRF_SIGNATURE_HEADER: &str = "vrf-hmac-signature";

/// What a signature should be, as mismatches and warnings say it.
const EXPECTED: &str =
    "the lowercase hex HMAC-SHA256 of the response body bytes under the shared secret";

/// The warning, if any: a signature that verifies but is not lowercase hex.
pub fn warning(
    rule: &Located<SignatureExpect>,
    response: &Response,
    secret: &str,
) -> Option<Warning> {
    if rule.value == SignatureExpect::Ignore {
        return None;
    }
    let sig = response.header(SIGNATURE_HEADER)?;
    let untidy = sig != sig.to_ascii_lowercase() || sig.trim() != sig;
    (untidy && verify(secret, &response.body, &sig)).then(|| Warning {
        check: CheckKind::Signature,
        path: SIGNATURE_HEADER.to_string(),
        expected: EXPECTED.into(),
        actual: format!("{sig:?}, which verifies but is not lowercase hex"),
        at: rule.at.clone(),
    })
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
    fn an_uppercase_signature_verifies_so_it_is_a_warning_not_a_failure() {
        let sig = sign("k", b"{}").to_uppercase();
        let r = Response::new(200, vec![("x-hmac-signature".into(), sig)], b"{}".to_vec());
        assert!(check(&if_present(), &r, "k").is_none());
        let w = warning(&if_present(), &r, "k").unwrap();
        assert_eq!(w.check, CheckKind::Signature);
        assert_eq!(w.path, "x-hmac-signature");
        assert!(
            w.actual
                .ends_with("which verifies but is not lowercase hex"),
            "{}",
            w.actual
        );
    }

    #[test]
    fn a_lowercase_signature_gives_no_warning_and_a_wrong_uppercase_one_fails() {
        let good = sign("k", b"{}");
        let r = Response::new(200, vec![("x-hmac-signature".into(), good)], b"{}".to_vec());
        assert!(warning(&if_present(), &r, "k").is_none());
        let bad = sign("other", b"{}").to_uppercase();
        let r = Response::new(200, vec![("x-hmac-signature".into(), bad)], b"{}".to_vec());
        assert!(warning(&if_present(), &r, "k").is_none());
        assert!(check(&if_present(), &r, "k").is_some());
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

    #[test]
    fn a_required_signature_passes_when_it_verifies_and_fails_when_absent() {
        let body = br#"{"status":"success"}"#.to_vec();
        let good = Response::new(
            200,
            vec![("x-hmac-signature".into(), sign("s3cret", &body))],
            body.clone(),
        );
        let required = Located {
            value: SignatureExpect::Required,
            at: 0..1,
        };
        assert!(check(&required, &good, "s3cret").is_none());
        let unsigned = Response::new(200, vec![], body);
        assert!(check(&required, &unsigned, "s3cret").is_some());
    }

    #[test]
    fn a_vrf_signature_that_is_present_and_does_not_verify_is_a_warning() {
        let bytes = vec![0xff, 0xd8, 0xff, 0xe0];
        let rule = Located {
            value: SignatureExpect::IfPresent,
            at: 0..1,
        };
        let good = Response::new(
            200,
            vec![("vrf-hmac-signature".into(), sign("s", &bytes))],
            bytes.clone(),
        );
        assert!(vrf_warning(&rule, &good, "s").is_none());
        let bad = Response::new(
            200,
            vec![("vrf-hmac-signature".into(), sign("s", b"other"))],
            bytes,
        );
        assert_eq!(
            vrf_warning(&rule, &bad, "s").unwrap().path,
            "vrf-hmac-signature"
        );
        // A warning, never a mismatch: only an older page documents it.
        assert!(check(&rule, &bad, "s").is_none());
    }

    #[test]
    fn an_uppercase_signature_over_a_real_body_passes_the_check_with_a_warning() {
        let body = br#"{"status":"success"}"#.to_vec();
        let upper = sign("s3cret", &body).to_uppercase();
        let r = Response::new(200, vec![("x-hmac-signature".into(), upper)], body);
        let rule = Located {
            value: SignatureExpect::IfPresent,
            at: 0..1,
        };
        assert!(check(&rule, &r, "s3cret").is_none());
        assert!(
            warning(&rule, &r, "s3cret")
                .unwrap()
                .actual
                .ends_with("which verifies but is not lowercase hex")
        );
    }
}
