//! Veriff's authentication codes (docs/veriff-api.md, section 3.2) read as
//! a set-up problem: which credential a code points at, and the flag and
//! variable that give it. The preflight of a run uses it on its one answer,
//! and the notes after libtest's summary on a run in which every failure is
//! the same authentication code.

use crate::record::exchange::Response;
use crate::results::{Outcome, RunResults};

/// The credential an authentication code points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// 1801 to 1804: the API key is missing, malformed, unknown or inactive.
    ApiKey,
    /// 1812 to 1819: the signature, made with the shared secret, does not verify.
    SharedSecret,
}

impl Credential {
    /// The credential behind `code`, when `code` is one of Veriff's
    /// authentication codes.
    pub fn of_code(code: &str) -> Option<Credential> {
        match code {
            "1801" | "1802" | "1803" | "1804" => Some(Credential::ApiKey),
            "1812" | "1813" | "1814" | "1815" | "1818" | "1819" => Some(Credential::SharedSecret),
            _ => None,
        }
    }

    /// What to check, naming the flag and the variable.
    pub fn what_to_check(self) -> &'static str {
        match self {
            Credential::ApiKey => {
                "check the API key, --api-key (or VERIFF_API_KEY): it must be the key of the \
                 integration behind this base URL, and the integration must be active"
            }
            Credential::SharedSecret => {
                "check the shared secret, --shared-secret (or VERIFF_SHARED_SECRET): it must be \
                 the one of the integration whose API key is given"
            }
        }
    }
}

/// What Veriff's documentation says a code means.
pub fn meaning(code: &str) -> &'static str {
    match code {
        "1801" => "X-AUTH-CLIENT header missing",
        "1802" => "the API key is not a valid UUID",
        "1803" => "no integration with that API key",
        "1804" => "the integration is inactive",
        "1812" => "the signature is not a valid SHA256 hash",
        "1813" | "1814" => "the legacy signature does not match",
        "1815" => "the request could not be authenticated",
        "1818" => "the HMAC-SHA256 of the path's id does not match",
        "1819" => "the HMAC-SHA256 of the request body does not match",
        _ => "an authentication code",
    }
}

/// The `code` of an error body, as a string (Veriff sends a string of digits).
pub fn code_of(response: &Response) -> Option<String> {
    match response.json.as_ref().ok()?.get("code")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The hint after libtest's summary when no scenario passed and every one
/// that failed did so on an answer with the same authentication code:
/// the credentials, not the API, are what is wrong. `None` otherwise.
pub fn of_run(results: &RunResults) -> Option<String> {
    let mut code: Option<String> = None;
    let mut failed = 0;
    for result in &results.scenarios {
        match &result.outcome {
            Outcome::Ignored(_) => {}
            Outcome::Passed | Outcome::Errored(_) => return None,
            Outcome::Failed(failure) => {
                let this = code_of(&failure.exchange.response)?;
                Credential::of_code(&this)?;
                if code.as_ref().is_some_and(|c| *c != this) {
                    return None;
                }
                code = Some(this);
                failed += 1;
            }
        }
    }
    let code = code?;
    let credential = Credential::of_code(&code)?;
    Some(format!(
        "hint: every one of the {failed} failed scenarios was answered with authentication \
         code {code} ({}): a set-up problem rather than the API's; {}",
        meaning(&code),
        credential.what_to_check()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_codes_and_signature_codes_point_at_their_credential() {
        for code in ["1801", "1802", "1803", "1804"] {
            assert_eq!(
                Credential::of_code(code),
                Some(Credential::ApiKey),
                "{code}"
            );
        }
        for code in ["1812", "1818", "1819"] {
            assert_eq!(
                Credential::of_code(code),
                Some(Credential::SharedSecret),
                "{code}"
            );
        }
        assert_eq!(Credential::of_code("1101"), None);
        assert!(
            Credential::ApiKey
                .what_to_check()
                .contains("VERIFF_API_KEY")
        );
        assert!(
            Credential::SharedSecret
                .what_to_check()
                .contains("--shared-secret")
        );
    }

    #[test]
    fn the_code_of_an_error_body_is_read_as_a_string_or_a_number() {
        let r = Response::new(401, vec![], br#"{"status":"fail","code":"1803"}"#.to_vec());
        assert_eq!(code_of(&r).as_deref(), Some("1803"));
        let r = Response::new(401, vec![], br#"{"code":1812}"#.to_vec());
        assert_eq!(code_of(&r).as_deref(), Some("1812"));
        let r = Response::new(404, vec![], b"not json".to_vec());
        assert_eq!(code_of(&r), None);
    }
}
