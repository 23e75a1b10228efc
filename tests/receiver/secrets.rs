//! The API key and the shared secret never appear in any output of the
//! receiver suite or of verify-webhook, in any form, even when the receiver
//! answers with the request's headers in its body.

use veriff_conformance::secret_forms;

use crate::support::{API_KEY, Flaw, Receiver, SECRET, signed};
use crate::verify_webhook::verify_webhook;

fn assert_no_secret(what: &str, text: &str) {
    for secret in [API_KEY, SECRET] {
        for form in secret_forms(secret) {
            assert!(
                !text.contains(&form),
                "{what} holds a form of a secret: {form}\n{text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_is_in_the_output_or_the_junit_report_of_a_failing_run() {
    let receiver = Receiver::start(Flaw::EchoesHeaders).await;
    let dir = std::env::temp_dir().join(format!("vc-receiver-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("junit.xml");
    let run = receiver.run(&["--junit", junit.to_str().unwrap()]);
    assert_eq!(run.status, Some(101), "{}", run.text());
    // The receiver did echo the API key: the report shows where, masked.
    assert!(run.stdout.contains("***"), "{}", run.stdout);
    assert_no_secret("standard output", &run.stdout);
    assert_no_secret("standard error", &run.stderr);
    assert_no_secret(
        "the JUnit report",
        &std::fs::read_to_string(&junit).unwrap(),
    );
}

#[test]
fn no_secret_is_in_what_verify_webhook_prints() {
    let body = r#"{"id":"x","action":"submitted","code":7002}"#;
    for signature in [signed(body), "0".repeat(64), SECRET.to_string()] {
        let (_, text) = verify_webhook(
            body.as_bytes(),
            &["--signature", &signature, "--auth-client", API_KEY],
        );
        assert_no_secret("verify-webhook", &text);
    }
}
