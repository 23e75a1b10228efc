//! `verify-webhook`: Veriff's published test vectors verify, and each rule a
//! captured delivery can break is named, with exit status 1; usage errors
//! exit with 2.

use std::io::Write as _;
use std::process::Stdio;

use crate::support::{API_KEY, SECRET, bin, signed};

/// Veriff's documented example secret and the two published bodies with their signatures.
const VECTOR_SECRET: &str = "abcdef12-abcd-abcd-abcd-abcdef012345";
const BODY_1: &str = r#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of the end-user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
const SIG_1: &str = "0dcab73ddd20062616d104231c7439657546a5c24e4691977da93bb854c31e25";
const BODY_2: &str = r#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
const SIG_2: &str = "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67";

/// Runs `verify-webhook` with `body` on standard input, the test secret
/// and API key in the environment; its exit status and everything it printed.
pub fn verify_webhook(body: &[u8], args: &[&str]) -> (Option<i32>, String) {
    verify_with(SECRET, body, args)
}

fn verify_with(secret: &str, body: &[u8], args: &[&str]) -> (Option<i32>, String) {
    let mut child = bin()
        .arg("verify-webhook")
        .args(args)
        .env("VERIFF_SHARED_SECRET", secret)
        .env("VERIFF_API_KEY", API_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// The line printed for `rule`: `ok` or `FAILED`, the rule's name in a
/// column of its own, then what was found.
fn line<'a>(text: &'a str, rule: &str) -> &'a str {
    text.lines()
        .find(|l| l.get(8..23).map(str::trim_end) == Some(rule))
        .unwrap_or_else(|| panic!("no line for {rule}:\n{text}"))
}

#[test]
fn both_published_test_vectors_are_valid() {
    for (body, sig) in [(BODY_1, SIG_1), (BODY_2, SIG_2)] {
        let (status, text) = verify_with(VECTOR_SECRET, body.as_bytes(), &["--signature", sig]);
        assert_eq!(status, Some(0), "{text}");
        assert!(
            text.contains("valid: the delivery meets every rule checked"),
            "{text}"
        );
        assert!(line(&text, "signature form").starts_with("ok"), "{text}");
    }
}

#[test]
fn the_rules_print_in_one_order_whether_or_not_x_auth_client_is_checked() {
    let rules = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| ["ok ", "FAILED ", "- "].iter().any(|m| l.starts_with(m)))
            .filter_map(|l| l.get(8..23).map(|r| r.trim_end().to_owned()))
            .collect()
    };
    let order = ["signature form", "signature", "x-auth-client", "body"];
    let (_, unchecked) = verify_with(VECTOR_SECRET, BODY_1.as_bytes(), &["--signature", SIG_1]);
    assert_eq!(rules(&unchecked), order, "{unchecked}");
    assert!(
        line(&unchecked, "x-auth-client").starts_with("-"),
        "{unchecked}"
    );
    let (_, checked) = verify_with(
        VECTOR_SECRET,
        BODY_1.as_bytes(),
        &["--signature", SIG_1, "--auth-client", API_KEY],
    );
    assert_eq!(rules(&checked), order, "{checked}");
    assert!(
        line(&checked, "x-auth-client").starts_with("ok"),
        "{checked}"
    );
}

#[test]
fn a_signature_of_the_other_vector_is_a_signature_mismatch() {
    let (status, text) = verify_with(VECTOR_SECRET, BODY_1.as_bytes(), &["--signature", SIG_2]);
    assert_eq!(status, Some(1), "{text}");
    assert!(line(&text, "signature").starts_with("FAILED"), "{text}");
    assert!(
        text.contains("does not match the HMAC-SHA256 of the 225 body bytes"),
        "{text}"
    );
    assert!(text.contains("invalid: 1 rule failed"), "{text}");
}

#[test]
fn a_capture_with_a_final_line_break_is_named_as_such() {
    let body = format!("{BODY_2}\n");
    let (status, text) = verify_with(VECTOR_SECRET, body.as_bytes(), &["--signature", SIG_2]);
    assert_eq!(status, Some(1), "{text}");
    assert!(text.contains("without its final line break"), "{text}");
}

#[test]
fn an_uppercase_or_short_signature_breaks_the_form_rule() {
    let upper = SIG_2.to_uppercase();
    let (status, text) = verify_with(VECTOR_SECRET, BODY_2.as_bytes(), &["--signature", &upper]);
    assert_eq!(status, Some(1), "{text}");
    assert!(
        line(&text, "signature form").contains("not lowercase hex"),
        "{text}"
    );
    let (status, text) = verify_with(
        VECTOR_SECRET,
        BODY_2.as_bytes(),
        &["--signature", &SIG_2[..63]],
    );
    assert_eq!(status, Some(1), "{text}");
    assert!(
        line(&text, "signature form").contains("wrong length: 63 hex digits"),
        "{text}"
    );
}

#[test]
fn a_wrong_or_missing_x_auth_client_is_named() {
    let body = r#"{"id":"x","action":"submitted","code":7002}"#;
    let sig = signed(body);
    let (status, text) = verify_webhook(
        body.as_bytes(),
        &["--signature", &sig, "--auth-client", API_KEY],
    );
    assert_eq!(status, Some(0), "{text}");
    assert!(
        text.contains("shaped as an event webhook (action submitted)"),
        "{text}"
    );
    let (status, text) = verify_webhook(
        body.as_bytes(),
        &["--signature", &sig, "--auth-client", "someone-else"],
    );
    assert_eq!(status, Some(1), "{text}");
    assert!(
        line(&text, "x-auth-client").contains("not the integration's API key"),
        "{text}"
    );
    let (status, text) =
        verify_webhook(body.as_bytes(), &["--signature", &sig, "--auth-client", ""]);
    assert_eq!(status, Some(1), "{text}");
    assert!(line(&text, "x-auth-client").contains("missing"), "{text}");
}

#[test]
fn a_signed_body_that_is_not_json_breaks_the_body_rule() {
    let body = "not json at all";
    let (status, text) = verify_webhook(body.as_bytes(), &["--signature", &signed(body)]);
    assert_eq!(status, Some(1), "{text}");
    assert!(line(&text, "signature").starts_with("ok"), "{text}");
    assert!(line(&text, "body").contains("not JSON"), "{text}");
}

#[test]
fn usage_errors_exit_with_2() {
    // --auth-client without an API key to compare with.
    let out = bin()
        .args(["verify-webhook", "--signature", SIG_2, "--auth-client", "x"])
        .env("VERIFF_SHARED_SECRET", SECRET)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A folder is no delivery.
    let out = bin()
        .args(["verify-webhook", "--signature", SIG_2])
        .arg(std::env::temp_dir())
        .env("VERIFF_SHARED_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is a folder"));
    // No signature given.
    let out = bin()
        .args(["verify-webhook"])
        .env("VERIFF_SHARED_SECRET", SECRET)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
