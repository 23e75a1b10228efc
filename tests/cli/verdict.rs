//! A verdict a CI gate can trust: a run that checked nothing is not green,
//! and a broken set-up is one clear error, not dozens of failures.

use std::process::{Output, Stdio};

use crate::support::{bin, text};

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

#[test]
fn a_filter_that_selects_no_scenario_is_an_error_naming_the_filter() {
    let out = run(&["run", "nope"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("error: no scenario matches the filter `nope`"),
        "{all}"
    );
    assert!(all.contains("--no-tests=warn"), "{all}");
    assert!(!all.contains("running 0 tests"), "nothing runs: {all}");
    // Checked before the embedded mock and the receiver start: the error is the first line.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: no scenario matches the filter `nope` (out of "),
        "{stderr}"
    );
    assert!(!stderr.contains("target: embedded mock"), "{stderr}");

    let out = run(&["run", "nope", "--no-tests=warn"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("warning: no scenario matches the filter `nope`"),
        "{all}"
    );

    let out = run(&["run", "nope", "--no-tests", "pass"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(!all.contains("no scenario matches"), "{all}");
}

#[test]
fn a_run_whose_selected_scenarios_are_all_ignored_is_an_error_saying_why() {
    // Against a server that is not the mock, without a webhook receiver:
    // the webhook scenarios are all ignored, so nothing would be compared.
    let args = [
        "run",
        "webhooks::",
        "--base-url",
        "http://127.0.0.1:9",
        "--api-key",
        "key-for-ignored",
        "--shared-secret",
        "secret-for-ignored",
    ];
    let out = run(&args);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("error: every scenario selected (6) is ignored, so nothing would be compared"),
        "{all}"
    );
    assert!(all.contains("--webhook-listen"), "the reason: {all}");

    let out = run(&[&args[..], &["--no-tests=pass"]].concat());
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("6 ignored"), "{all}");
}

#[test]
fn an_empty_shard_is_not_a_filter_that_selects_nothing() {
    let out = run(&[
        "run",
        "submit::double_submit_is_rejected",
        "--exact",
        "--partition",
        "count:2/2",
    ]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("running 0 tests"), "{all}");
}

#[test]
fn a_closed_standard_output_ends_the_run_quietly_with_status_141() {
    for args in [&["run"][..], &["run", "--list"]] {
        // Closed before the binary starts: its first write meets a closed pipe.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = bin()
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_output_path_that_cannot_be_written_is_exit_2_before_any_request() {
    let server = wiremock::MockServer::start().await;
    let dir = crate::support::scratch("verdict-outputs");
    let missing = dir.join("no-such-folder/out.xml");
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    // A named pipe nobody reads: opening it to write would wait for ever.
    let fifo = dir.join("a-fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let cases: [(&str, &std::path::Path, String); 5] = [
        (
            "--junit",
            &missing,
            format!(
                "error: --junit {}: the folder {} does not exist",
                missing.display(),
                dir.join("no-such-folder").display()
            ),
        ),
        (
            "--logfile",
            &missing,
            format!(
                "error: --logfile {}: the folder {} does not exist",
                missing.display(),
                dir.join("no-such-folder").display()
            ),
        ),
        (
            "--junit",
            &dir,
            format!("error: --junit {}: is a folder", dir.display()),
        ),
        (
            "--record-baseline",
            &file,
            format!(
                "error: --record-baseline {}: is a file, not a folder",
                file.display()
            ),
        ),
        (
            "--junit",
            &fifo,
            format!("error: --junit {}: is a pipe or a socket", fifo.display()),
        ),
    ];
    for (flag, path, says) in cases {
        let base = server.uri();
        let path = path.to_path_buf();
        let out = tokio::task::spawn_blocking(move || {
            bin()
                .args(["run", "--base-url", &base])
                .args([
                    "--api-key",
                    "outputs-key",
                    "--shared-secret",
                    "outputs-secret",
                ])
                .arg(flag)
                .arg(&path)
                .output()
                .expect("the binary runs")
        })
        .await
        .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{all}");
        assert!(all.contains(&says), "{says}\n{all}");
        assert!(!all.contains("panicked"), "{all}");
    }
    let sent = server.received_requests().await.unwrap_or_default();
    assert!(sent.is_empty(), "{} requests were sent", sent.len());
}

#[test]
fn a_listing_with_a_log_file_that_cannot_be_written_is_exit_2_not_a_panic() {
    let dir = crate::support::scratch("verdict-list-logfile");
    let missing = dir.join("no-such-folder/log.txt");
    let out = run(&["run", "--list", "--logfile", missing.to_str().unwrap()]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("error: --logfile"), "{all}");
    assert!(!all.contains("panicked"), "{all}");
}

const PASSING: &str = r#"
scenarios:
  - name: unknown session is not found
    steps:
      - name: submit
        method: PATCH
        path: /v1/sessions/${gen.uuid}
        body: { verification: { status: submitted } }
        expect: { status: 404, body: { message: Resource not found } }
"#;

/// `run` of one passing spec against `base` with these credentials.
fn run_spec(name: &str, base: &str, key: &str, secret: &str, extra: &[&str]) -> Output {
    let dir = crate::support::scratch(name);
    std::fs::write(dir.join("one.yaml"), PASSING).unwrap();
    bin()
        .arg("run")
        .arg(dir.join("one.yaml"))
        .args([
            "--base-url",
            base,
            "--api-key",
            key,
            "--shared-secret",
            secret,
        ])
        .args(extra)
        .output()
        .expect("the binary runs")
}

#[test]
fn an_unreachable_base_url_is_one_setup_error_with_exit_2_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let junit = crate::support::scratch("verdict-refused-junit").join("junit.xml");
    // A report left from an earlier run is replaced, not left to be read.
    std::fs::write(&junit, "<testsuites name=\"an earlier run\"/>").unwrap();
    let out = run_spec(
        "verdict-refused",
        &base,
        "key-for-refused",
        "secret-for-refused",
        &["--junit", junit.to_str().unwrap()],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!("error: cannot reach the base URL {base}: ")),
        "{all}"
    );
    assert!(all.contains("set-up problem"), "{all}");
    assert!(!all.contains("test result"), "no scenario runs: {all}");
    assert!(all.lines().count() <= 4, "a few lines: {all}");
    assert!(!all.contains("secret-for-refused") && !all.contains("key-for-refused"));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(!xml.contains("an earlier run"), "{xml}");
    assert!(
        xml.contains(r#"<testcase name="run::&lt;setup&gt;""#),
        "{xml}"
    );
    assert!(xml.contains("cannot reach the base URL"), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_are_one_setup_error_naming_the_credential_to_check() {
    use veriff_conformance::mock::{MockConfig, MockServer};
    let mock = MockServer::start(MockConfig::generated()).await.unwrap();
    let (base, config) = (mock.base_url(), mock.config().clone());
    let cases = [
        (
            "verdict-wrong-key",
            "00000000-0000-4000-8000-00000000dead".to_string(),
            config.shared_secret.clone(),
            "--api-key (or VERIFF_API_KEY)",
        ),
        (
            "verdict-wrong-secret",
            config.api_key.clone(),
            "not-the-shared-secret".to_string(),
            "--shared-secret (or VERIFF_SHARED_SECRET)",
        ),
    ];
    for (name, key, secret, says) in cases {
        let base = base.clone();
        let (key2, secret2) = (key.clone(), secret.clone());
        let out = tokio::task::spawn_blocking(move || run_spec(name, &base, &key2, &secret2, &[]))
            .await
            .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{all}");
        assert!(all.contains(says), "{says}: {all}");
        assert!(all.contains("set-up problem"), "{all}");
        assert!(!all.contains("test result"), "no scenario runs: {all}");
        assert!(!all.contains(&secret), "{all}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_preflight_cannot_tell_a_run_failing_on_one_auth_code_ends_with_the_hint() {
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, ResponseTemplate};
    let server = wiremock::MockServer::start().await;
    // Existence is checked before the signature: the preflight only sees a 404.
    Mock::given(method("GET"))
        .and(path_regex("^/v1/sessions/[^/]+/decision$"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            serde_json::json!({"status": "fail", "code": "1102", "message": "Resource not found"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"status": "fail", "code": "1818", "message": "Signature mismatch"}),
        ))
        .mount(&server)
        .await;
    let base = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        run_spec(
            "verdict-hint",
            &base,
            "hint-key-0001",
            "hint-secret-0001",
            &[],
        )
    })
    .await
    .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(101), "{all}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout
        .find("test result: FAILED")
        .expect("libtest's summary");
    let hint = stdout
        .find(
            "hint: every one of the 1 failed scenarios was answered with authentication code 1818",
        )
        .unwrap_or_else(|| panic!("{all}"));
    assert!(hint > summary, "after libtest's summary: {all}");
    assert!(
        stdout[hint..].contains("--shared-secret (or VERIFF_SHARED_SECRET)"),
        "{all}"
    );
}

#[test]
fn list_starts_no_mock_and_sends_nothing() {
    let out = run(&["run", "--list"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(!all.contains("embedded mock"), "{all}");
    assert!(
        all.contains("submit::double_submit_is_rejected: test"),
        "{all}"
    );
}
