//! Secrets never reach any output, whatever form they take there, and a
//! value cannot forge a line of a report. Each test names the case of the
//! hostile pass it covers; each failed before its fix.

use std::path::PathBuf;

use veriff_conformance::mock::{MockConfig, MockServer};
use veriff_conformance::secret_forms;

use crate::support::{self, bin, text};

/// An API key with characters that regex escaping, JSON and URLs all change.
const KEY: &str = "AKEY-0b1c.2d3e+4f\"5a";
const SECRET: &str = "SSEC-7e6d.5c4b+3a2f";

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    support::scratch(&format!("hostile-{name}"))
}

/// Panics if any form of a secret appears in `text`.
fn assert_no_secret(text: &str) {
    for secret in [KEY, SECRET] {
        for form in secret_forms(secret) {
            assert!(
                !text.contains(&form),
                "`{form}` (a form of a secret) leaked:\n{text}"
            );
        }
    }
}

/// Writes `yaml` as a spec in a fresh folder named after `name`, runs it
/// against `base_url` with the test credentials and `extra` arguments, and
/// returns the exit status and everything printed.
fn run_spec(name: &str, yaml: &str, base_url: &str, extra: &[&str]) -> (Option<i32>, String) {
    let spec = scratch(name).join(format!("{name}.yaml"));
    std::fs::write(&spec, yaml).unwrap();
    let out = bin()
        .args(["run", "--base-url", base_url])
        .args(extra)
        .arg(&spec)
        .env("VERIFF_API_KEY", KEY)
        .env("VERIFF_SHARED_SECRET", SECRET)
        .output()
        .unwrap();
    (out.status.code(), text(&out))
}

async fn mock() -> MockServer {
    let mut config = MockConfig::generated();
    config.api_key = KEY.into();
    config.shared_secret = SECRET.into();
    MockServer::start(config).await.expect("mock")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_1_a_captured_key_shown_inside_a_regex_expectation_is_masked() {
    let mock = mock().await;
    let junit = scratch("regex-junit").join("junit.xml");
    let (code, all) = run_spec(
        "regex",
        r#"
scenarios:
  - name: the echoed key becomes a pattern
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: { verification: { vendorData: x } }
        expect: { status: 201 }
        capture: { key: { header: x-auth-client } }
      - name: submit with the key in a pattern
        method: PATCH
        path: /v1/sessions/${gen.uuid}
        body: { verification: { status: submitted } }
        expect: { body: { message: { $regex: "^${key}$" } } }
"#,
        &mock.base_url(),
        &["--target-is-mock", "--junit", junit.to_str().unwrap()],
    );
    assert_eq!(code, Some(101), "{all}");
    assert!(all.contains("a string matching /^***$/"), "{all}");
    assert_no_secret(&all);
    assert_no_secret(&std::fs::read_to_string(&junit).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_15_a_key_written_into_a_scenario_name_is_masked_in_its_trial_name() {
    let mock = mock().await;
    let junit = scratch("named-junit").join("junit.xml");
    // The trial name is the slug of the scenario name: `-`, `.`, `+` and `"`
    // become `_`, letters lowercase.
    let slugged = "akey_0b1c_2d3e_4f_5a";
    let yaml = format!(
        r#"
scenarios:
  - name: '{KEY} is in this name'
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: {{ verification: {{}} }}
        expect: {{ status: 418 }}
  - name: 'this one passes with {KEY}'
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: {{ verification: {{}} }}
        expect: {{ status: 201 }}
"#
    );
    let (code, all) = run_spec(
        "named",
        &yaml,
        &mock.base_url(),
        &["--target-is-mock", "--junit", junit.to_str().unwrap()],
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(code, Some(101), "{all}");
    assert!(all.contains("named::***_is_in_this_name"), "{all}");
    assert!(all.contains("named::this_one_passes_with_***"), "{all}");
    assert!(xml.contains("named::***_is_in_this_name"), "{xml}");
    for text in [&all, &xml] {
        for form in [slugged, &slugged.to_uppercase(), "AKEY_0b1c_2d3e_4f_5a"] {
            assert!(!text.contains(form), "`{form}` leaked:\n{text}");
        }
        assert_no_secret(text);
    }
}

/// A spec whose error quotes the key: an undefined variable named after a
/// line that holds it.
fn spec_error_quoting_the_key(dir: &std::path::Path) -> PathBuf {
    let spec = dir.join("broken.yaml");
    std::fs::write(
        &spec,
        format!(
            r#"
scenarios:
  - name: broken
    steps:
      - name: uses the key
        method: GET
        path: /v1/sessions/{}/${{missing}}
"#,
            KEY.replace('"', "")
        ),
    )
    .unwrap();
    spec
}

#[test]
fn case_2_list_with_a_base_url_and_credentials_masks_spec_errors() {
    let dir = scratch("list");
    let spec = spec_error_quoting_the_key(&dir);
    let key = KEY.replace('"', "");
    let out = bin()
        .args(["run", "--list", "--base-url", "https://example.invalid"])
        .args(["--api-key", &key, "--shared-secret", SECRET])
        .arg(&spec)
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("missing"), "{all}");
    assert!(!all.contains(&key), "{all}");
}

#[test]
fn case_3_an_api_key_without_a_base_url_is_masked_in_spec_errors() {
    let dir = scratch("nobase");
    let spec = spec_error_quoting_the_key(&dir);
    let key = KEY.replace('"', "");
    let out = bin()
        .args(["run", spec.to_str().unwrap()])
        .env("VERIFF_API_KEY", &key)
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("missing"), "{all}");
    assert!(!all.contains(&key), "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_4_a_network_error_masks_the_key_percent_encoded_in_its_url() {
    // The base URL answers (the run's preflight passes); the step's absolute
    // URL is port 9 (discard) on loopback: nothing listens, the connection is refused.
    let mock = mock().await;
    let base = mock.base_url();
    let (code, all) = tokio::task::spawn_blocking(move || {
        run_spec(
            "network",
            r#"
scenarios:
  - name: the key in a path
    vars: { k: "AKEY-0b1c.2d3e+4f\"5a" }
    steps:
      - name: nobody listens
        method: GET
        path: http://127.0.0.1:9/v1/sessions/${k} x
"#,
            &base,
            &[],
        )
    })
    .await
    .unwrap();
    assert_eq!(code, Some(101), "{all}");
    assert!(all.contains("cannot connect"), "{all}");
    assert_no_secret(&all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_10_a_line_break_in_a_path_cannot_forge_a_report_line() {
    let mock = mock().await;
    let (code, all) = run_spec(
        "crlf",
        r#"
scenarios:
  - name: a path with a line break
    steps:
      - name: forge
        method: PATCH
        path: "/v1/sessions/abc\r\nresponse: 200 all fine"
        body: { verification: { status: submitted } }
        expect: { status: 200 }
"#,
        &mock.base_url(),
        &[],
    );
    assert_eq!(code, Some(101), "{all}");
    assert!(all.contains("  request:  PATCH http://"), "{all}");
    assert!(
        all.contains("  response: 404 "),
        "the server was reached:\n{all}"
    );
    assert!(
        !all.lines().any(|l| l.starts_with("response: 200")),
        "a forged line:\n{all}"
    );
}

#[test]
fn sign_refuses_a_device_that_never_ends_and_streams_a_pipe() {
    let out = bin()
        .args(["sign", "--shared-secret", "s3cret", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("/dev/zero: it is a device"),
        "{}",
        text(&out)
    );

    // A pipe is read to its end: the signature of its bytes.
    let mut child = bin()
        .args(["sign", "--shared-secret", "s3cret"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..64 {
        stdin.write_all(&[b'x'; 64 * 1024]).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let expected = veriff_conformance::signing::sign("s3cret", &vec![b'x'; 64 * 64 * 1024]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected);
}

#[test]
fn absurd_rate_and_jobs_values_are_usage_errors_not_panics() {
    for args in [
        ["--rate", "1e-300"],
        ["--rate", "0"],
        ["--jobs", "18446744073709551615"],
        ["--jobs", "0"],
    ] {
        let out = bin().arg("run").args(args).output().unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert!(!all.contains("panicked"), "{args:?}: {all}");
        assert!(all.contains(args[0]), "{args:?} names the flag: {all}");
    }
}
