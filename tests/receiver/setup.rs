//! The set-up of a receiver run checked whole: every URL given is reached
//! before any delivery, and a URL that refused every genuine delivery alike
//! ends the run with a hint at what to check.

use crate::support::{API_KEY, Flaw, Receiver, Run, SECRET, bin};

/// A loopback URL nobody listens on.
fn unreachable_url(path: &str) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}{path}")
}

/// Asserts that `run` stopped before any delivery with one set-up error
/// naming `url` and `flag`.
fn assert_unreachable(run: &Run, url: &str, flag: &str) {
    assert_eq!(run.status, Some(2), "{}", run.text());
    assert!(
        run.stderr.contains(&format!(
            "error: cannot reach the receiver at {url} ({flag})"
        )),
        "{}",
        run.stderr
    );
    assert!(
        !run.text().contains("test result"),
        "nothing runs: {}",
        run.text()
    );
}

/// `receiver` with the test credentials and `args`.
fn receiver(args: &[&str]) -> Run {
    Run::of(
        bin()
            .arg("receiver")
            .args(args)
            .env("VERIFF_API_KEY", API_KEY)
            .env("VERIFF_SHARED_SECRET", SECRET)
            .output()
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_cannot_be_reached_is_one_setup_error() {
    let url = unreachable_url("/decision");
    assert_unreachable(&receiver(&["--decision-url", &url]), &url, "--decision-url");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_event_url_is_a_setup_error_naming_it_before_any_delivery() {
    let decisions = Receiver::start(Flaw::None).await;
    let event_url = unreachable_url("/event");
    let run = receiver(&[
        "--decision-url",
        &decisions.url("decision"),
        "--event-url",
        &event_url,
    ]);
    assert_unreachable(&run, &event_url, "--event-url");
    assert!(
        decisions.session_ids().is_empty(),
        "a delivery was sent to the decision URL"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_with_another_secret_gets_a_hint_naming_the_credentials() {
    let receiver = Receiver::start(Flaw::None).await;
    let run = Run::of(
        bin()
            .args(["receiver", "--decision-url", &receiver.url("decision")])
            .env("VERIFF_API_KEY", API_KEY)
            .env("VERIFF_SHARED_SECRET", "not-the-receivers-secret")
            .output()
            .unwrap(),
    );
    assert_eq!(run.status, Some(101), "{}", run.text());
    let hint = run
        .stdout
        .lines()
        .find(|l| l.starts_with("hint: "))
        .unwrap_or_else(|| panic!("no hint:\n{}", run.text()));
    assert!(
        hint.starts_with(&format!("hint: {} answered all ", receiver.url("decision")))
            && hint.contains(" genuine deliveries it was sent with 401: "),
        "{hint}"
    );
    assert!(
        run.stdout.contains("--shared-secret and --api-key"),
        "{}",
        run.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_with_the_wrong_path_gets_a_hint_naming_the_path() {
    let decisions = Receiver::start(Flaw::None).await;
    // The test receiver answers 404 off its routes.
    let wrong = format!("{}/typo", decisions.url("decision"));
    let run = receiver(&["--decision-url", &wrong]);
    assert_eq!(run.status, Some(101), "{}", run.text());
    assert!(
        run.stdout.contains(&format!("hint: {wrong} answered all")),
        "{}",
        run.text()
    );
    assert!(run.stdout.contains("check the path"), "{}", run.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_fails_a_rule_for_its_own_reasons_gets_no_hint() {
    let receiver = Receiver::start(Flaw::RefusesDuplicates).await;
    let run = receiver.run(&[]);
    assert_eq!(run.status, Some(101), "{}", run.text());
    assert!(!run.text().contains("hint:"), "{}", run.text());
}
