//! One captured delivery, checked as a receiver should check it: the
//! signature's form, the signature over the raw bytes, the API key in
//! `X-AUTH-CLIENT`, and the body being JSON. Each rule gives its own
//! verdict, so that a failure says which rule broke.

use serde_json::Value;

use crate::signing::{legacy_digest, verify};

/// The largest delivery `verify-webhook` reads.
///
/// ```
/// assert_eq!(veriff_conformance::MAX_DELIVERY_BYTES, 16 * 1024 * 1024);
/// ```
pub const MAX_DELIVERY_BYTES: usize = 16 * 1024 * 1024;

/// What a delivery is checked with.
///
/// ```
/// use veriff_conformance::CapturedDelivery;
/// let delivery = CapturedDelivery { body: b"{}", signature: "00", auth_client: Some(("key", "key")) };
/// // Its debug form shows neither the body nor the API key.
/// assert!(!format!("{delivery:?}").contains("key"));
/// ```
#[derive(Clone, Copy)]
pub struct CapturedDelivery<'a> {
    /// The body, byte for byte as it came.
    pub body: &'a [u8],
    /// The `X-HMAC-SIGNATURE` header's value.
    pub signature: &'a str,
    /// The `X-AUTH-CLIENT` header's value and the API key it must equal, when both are known.
    pub auth_client: Option<(&'a str, &'a str)>,
}

impl std::fmt::Debug for CapturedDelivery<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapturedDelivery")
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// The rules a delivery is checked against, in the order they are checked.
///
/// ```
/// use veriff_conformance::WebhookRule;
/// assert_eq!(WebhookRule::SignatureForm.name(), "signature form");
/// assert_eq!(WebhookRule::AuthClient.name(), "x-auth-client");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookRule {
    /// `X-HMAC-SIGNATURE` is 64 lowercase hex digits.
    SignatureForm,
    /// It is the HMAC-SHA256 of the body bytes under the shared secret.
    Signature,
    /// `X-AUTH-CLIENT` is the integration's API key.
    AuthClient,
    /// The body is JSON.
    Json,
}

impl WebhookRule {
    /// The rule's name, as printed.
    pub fn name(self) -> &'static str {
        match self {
            WebhookRule::SignatureForm => "signature form",
            WebhookRule::Signature => "signature",
            WebhookRule::AuthClient => "x-auth-client",
            WebhookRule::Json => "body",
        }
    }
}

/// One rule's verdict.
///
/// ```
/// use veriff_conformance::{CapturedDelivery, WebhookRule, verify_delivery};
/// let delivery = CapturedDelivery { body: b"not json", signature: "zz", auth_client: None };
/// let verdicts = verify_delivery(&delivery, "secret");
/// assert_eq!(verdicts[0].rule, WebhookRule::SignatureForm);
/// assert!(!verdicts[0].passed);
/// assert!(verdicts[0].detail.starts_with("not hex"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The rule.
    pub rule: WebhookRule,
    /// Whether the delivery meets it.
    pub passed: bool,
    /// What was found; never a secret, never the body.
    pub detail: String,
}

/// Checks `delivery` against every rule, with `shared_secret` for the
/// signature; the delivery is valid when every verdict passed.
///
/// ```
/// use veriff_conformance::{CapturedDelivery, WebhookRule, verify_delivery};
///
/// // Veriff's published test vector.
/// let body = br#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of the end-user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
/// let delivery = CapturedDelivery {
///     body,
///     signature: "0dcab73ddd20062616d104231c7439657546a5c24e4691977da93bb854c31e25",
///     auth_client: None,
/// };
/// let verdicts = verify_delivery(&delivery, "abcdef12-abcd-abcd-abcd-abcdef012345");
/// assert!(verdicts.iter().all(|v| v.passed), "{verdicts:?}");
///
/// let tampered = CapturedDelivery { body: &body[..body.len() - 1], ..delivery };
/// let verdicts = verify_delivery(&tampered, "abcdef12-abcd-abcd-abcd-abcdef012345");
/// let failed: Vec<WebhookRule> = verdicts.iter().filter(|v| !v.passed).map(|v| v.rule).collect();
/// assert_eq!(failed, [WebhookRule::Signature, WebhookRule::Json]);
/// ```
pub fn verify_delivery(delivery: &CapturedDelivery<'_>, shared_secret: &str) -> Vec<Verdict> {
    let mut verdicts = vec![
        signature_form(delivery.signature),
        signature(delivery.body, delivery.signature, shared_secret),
    ];
    if let Some((auth_client, api_key)) = delivery.auth_client {
        verdicts.push(auth_client_verdict(auth_client, api_key));
    }
    verdicts.push(json(delivery.body));
    verdicts
}

fn verdict(rule: WebhookRule, passed: bool, detail: impl Into<String>) -> Verdict {
    Verdict {
        rule,
        passed,
        detail: detail.into(),
    }
}

fn signature_form(sig: &str) -> Verdict {
    let rule = WebhookRule::SignatureForm;
    if let Some((at, c)) = sig.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        let what = if c.is_whitespace() {
            "white space".to_string()
        } else {
            format!("{:?}", c)
        };
        return verdict(
            rule,
            false,
            format!(
                "not hex: {what} at character {} of {}",
                sig[..at].chars().count() + 1,
                sig.chars().count()
            ),
        );
    }
    if sig.len() != 64 {
        return verdict(
            rule,
            false,
            format!(
                "wrong length: {} hex digits, where an HMAC-SHA256 has 64",
                sig.len()
            ),
        );
    }
    if sig.bytes().any(|b| b.is_ascii_uppercase()) {
        return verdict(
            rule,
            false,
            "not lowercase hex: Veriff writes signatures in lowercase",
        );
    }
    verdict(rule, true, "64 lowercase hex digits")
}

fn signature(body: &[u8], sig: &str, secret: &str) -> Verdict {
    let rule = WebhookRule::Signature;
    let bytes = body.len();
    if verify(secret, body, sig) {
        return verdict(
            rule,
            true,
            format!("the HMAC-SHA256 of the {bytes} body bytes under the shared secret"),
        );
    }
    if hex::decode(sig).map_or(true, |d| d.len() != 32) {
        return verdict(
            rule,
            false,
            "cannot match: it is not the hex of 32 bytes (see signature form)",
        );
    }
    let mut detail =
        format!("does not match the HMAC-SHA256 of the {bytes} body bytes under the shared secret");
    let trimmed = body
        .strip_suffix(b"\n")
        .map(|b| b.strip_suffix(b"\r").unwrap_or(b));
    if trimmed.is_some_and(|t| verify(secret, t, sig)) {
        detail.push_str(
            "; it matches the body without its final line break, which the capture added",
        );
    } else if legacy_digest(secret, body).eq_ignore_ascii_case(sig) {
        detail.push_str(
            "; it is the legacy X-SIGNATURE (SHA-256 of the body and the secret), not the HMAC",
        );
    } else {
        detail.push_str(
            "; the bytes are not those signed (parsed and written again?) or the secret is another",
        );
    }
    verdict(rule, false, detail)
}

fn auth_client_verdict(auth_client: &str, api_key: &str) -> Verdict {
    let rule = WebhookRule::AuthClient;
    if auth_client.is_empty() {
        verdict(rule, false, "missing: the delivery has no X-AUTH-CLIENT")
    } else if auth_client == api_key {
        verdict(rule, true, "the integration's API key")
    } else {
        verdict(rule, false, "not the integration's API key (--api-key)")
    }
}

fn json(body: &[u8]) -> Verdict {
    let rule = WebhookRule::Json;
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => verdict(rule, true, format!("JSON, {}", shape(&value))),
        Err(e) if body.is_empty() => verdict(rule, false, format!("empty, not JSON ({e})")),
        Err(e) => verdict(rule, false, format!("not JSON: {e}")),
    }
}

/// Which kind of webhook a body looks like: Veriff sends no header that says.
fn shape(value: &Value) -> String {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("?").to_string();
    // A decision names its status; a `verification` without one (a
    // session-create body, as Veriff's signature test vector is) is no webhook.
    let decided = value
        .get("verification")
        .and_then(|v| v.get("status"))
        .and_then(Value::as_str);
    if let Some(status) = decided {
        format!("shaped as a decision webhook (status {status})")
    } else if value.get("action").is_some() && value.get("id").is_some() {
        format!(
            "shaped as an event webhook (action {})",
            text(value.get("action"))
        )
    } else if value.get("matchStatus").is_some() {
        format!(
            "shaped as a watchlist screening webhook ({})",
            text(value.get("matchStatus"))
        )
    } else {
        "of no webhook shape this tool knows".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::sign;

    /// Veriff's documented example secret (test vectors, docs/veriff-api.md).
    const SECRET: &str = "abcdef12-abcd-abcd-abcd-abcdef012345";
    const BODY_1: &str = r#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of the end-user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
    const SIG_1: &str = "0dcab73ddd20062616d104231c7439657546a5c24e4691977da93bb854c31e25";
    const BODY_2: &str = r#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
    const SIG_2: &str = "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67";
    const LEGACY_2: &str = "19f1c8446beea200e4b184739f1e1dd81c335c513f685b87dea2133681f769ec";

    fn failed(body: &[u8], sig: &str, auth: Option<(&str, &str)>) -> Vec<(WebhookRule, String)> {
        let delivery = CapturedDelivery {
            body,
            signature: sig,
            auth_client: auth,
        };
        verify_delivery(&delivery, SECRET)
            .into_iter()
            .filter(|v| !v.passed)
            .map(|v| (v.rule, v.detail))
            .collect()
    }

    #[test]
    fn both_published_vectors_verify_and_each_fails_with_the_other_signature() {
        assert!(failed(BODY_1.as_bytes(), SIG_1, None).is_empty());
        assert!(failed(BODY_2.as_bytes(), SIG_2, None).is_empty());
        let crossed = failed(BODY_1.as_bytes(), SIG_2, None);
        assert_eq!(crossed.len(), 1);
        assert_eq!(crossed[0].0, WebhookRule::Signature);
        assert!(crossed[0].1.contains("does not match"), "{crossed:?}");
    }

    #[test]
    fn the_session_id_vector_verifies_as_a_body_of_those_bytes() {
        let id = "aea9ba6d-1b47-47fc-a4fc-f72b6d3584a7";
        let sig = "895cb3fd31139d89aeb7b263682e15479ab57651e70591256ad2c14fde4950dd";
        // Not JSON, so only the body rule fails.
        let found = failed(id.as_bytes(), sig, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, WebhookRule::Json);
    }

    #[test]
    fn a_reserialised_body_does_not_match_its_signature() {
        let value: Value = serde_json::from_str(BODY_2).unwrap();
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        let found = failed(&pretty, SIG_2, None);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("parsed and written again"), "{found:?}");
    }

    #[test]
    fn a_final_line_break_added_by_the_capture_is_named() {
        let body = format!("{BODY_2}\n");
        let found = failed(body.as_bytes(), SIG_2, None);
        assert!(found[0].1.contains("final line break"), "{found:?}");
    }

    #[test]
    fn the_legacy_digest_is_recognised_as_not_the_hmac() {
        let found = failed(BODY_2.as_bytes(), LEGACY_2, None);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("legacy X-SIGNATURE"), "{found:?}");
    }

    #[test]
    fn uppercase_hex_verifies_but_breaks_the_form_rule() {
        let found = failed(BODY_2.as_bytes(), &SIG_2.to_uppercase(), None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, WebhookRule::SignatureForm);
        assert!(found[0].1.contains("not lowercase hex"));
    }

    #[test]
    fn a_short_or_non_hex_signature_breaks_the_form_rule_and_cannot_match() {
        let short = failed(BODY_2.as_bytes(), &SIG_2[..40], None);
        assert_eq!(short[0].0, WebhookRule::SignatureForm);
        assert!(short[0].1.contains("40 hex digits"), "{short:?}");
        assert_eq!(short[1].0, WebhookRule::Signature);
        let garbage = failed(BODY_2.as_bytes(), "not-a-signature", None);
        assert!(
            garbage[0].1.contains("not hex: 'n' at character 1"),
            "{garbage:?}"
        );
        let spaced = failed(BODY_2.as_bytes(), &format!("{SIG_2} "), None);
        assert!(
            spaced[0].1.contains("white space at character 65"),
            "{spaced:?}"
        );
    }

    #[test]
    fn the_api_key_must_be_in_x_auth_client() {
        let key = "11111111-2222-3333-4444-555555555555";
        assert!(failed(BODY_2.as_bytes(), SIG_2, Some((key, key))).is_empty());
        let other = failed(BODY_2.as_bytes(), SIG_2, Some(("someone-else", key)));
        assert_eq!(other[0].0, WebhookRule::AuthClient);
        assert!(!other[0].1.contains(key));
        let missing = failed(BODY_2.as_bytes(), SIG_2, Some(("", key)));
        assert!(missing[0].1.contains("missing"));
    }

    #[test]
    fn a_signed_body_that_is_not_json_breaks_only_the_body_rule() {
        let body = b"{\"status\":\"success\",";
        let found = failed(body, &sign(SECRET, body), None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, WebhookRule::Json);
        assert!(found[0].1.starts_with("not JSON: "), "{found:?}");
    }

    #[test]
    fn the_shape_of_each_webhook_is_named() {
        let verdict = |body: &str| json(body.as_bytes()).detail;
        assert!(
            verdict(r#"{"verification":{"status":"approved"}}"#)
                .contains("decision webhook (status approved)")
        );
        assert!(
            verdict(r#"{"id":"x","action":"submitted","code":7002}"#)
                .contains("event webhook (action submitted)")
        );
        assert!(verdict(r#"{"matchStatus":"no_match"}"#).contains("watchlist screening webhook"));
        assert!(verdict("[]").contains("no webhook shape"));
        assert_eq!(
            verdict(BODY_1),
            "JSON, of no webhook shape this tool knows",
            "a session-create body is not a decision"
        );
    }
}
