//! The command line as a user runs it: the built binary, its exit status and output.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

use veriff_conformance::mock::{MockConfig, MockServer};

use crate::support::{bin, scratch, text};

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// The status libtest printed for one trial (`ok`, `FAILED`, `ignored`, ...).
fn trial_status<'a>(all: &'a str, name: &str) -> Option<&'a str> {
    all.lines()
        .find(|l| {
            l.strip_prefix("test ")
                .and_then(|r| r.strip_prefix(name))
                .is_some_and(|r| r.starts_with(' '))
        })
        .and_then(|l| l.rsplit("... ").next())
        .map(str::trim)
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

const FAILING: &str = r#"
scenarios:
  - name: expects the wrong status
    steps:
      - name: submit
        method: PATCH
        path: /v1/sessions/${gen.uuid}
        body: { verification: { status: submitted } }
        expect: { status: 200, body: { code: "9999" } }
"#;

#[test]
fn run_without_arguments_passes_the_builtin_suite_against_the_embedded_mock() {
    let out = run(&["run"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("target: embedded mock at http://127.0.0.1:"),
        "{all}"
    );
    assert_eq!(
        trial_status(&all, "submit::double_submit_is_rejected"),
        Some("ok"),
        "{all}"
    );
    assert!(all.contains(" 0 failed; 0 ignored"), "{all}");
}

#[test]
fn list_prints_one_trial_per_scenario() {
    let out = run(&["run", "--list"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout.contains("submit::valid_submit_of_a_created_session: test"),
        "{stdout}"
    );
    assert!(
        stdout.contains("authentication::a_missing_signature_header_is_rejected: test"),
        "{stdout}"
    );
}

#[test]
fn a_filter_and_exact_select_trials_as_in_cargo_test() {
    let out = run(&["run", "submit::double_submit_is_rejected", "--exact"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("1 passed"), "{all}");
    let out = run(&["run", "authentication::", "--skip", "garbage"]);
    let all = text(&out);
    assert!(all.contains("5 passed"), "{all}");
    assert!(!all.contains("garbage"), "{all}");
}

#[test]
fn a_failing_scenario_exits_101_with_expected_and_actual() {
    let dir = scratch("failing");
    std::fs::write(dir.join("failing.yaml"), FAILING).unwrap();
    let out = run(&["run", dir.to_str().unwrap()]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(101), "{all}");
    assert!(
        all.contains("failure: 2 unmet expectations in step 1 \"submit\""),
        "{all}"
    );
    assert!(all.contains("expected: 200"), "{all}");
    assert!(all.contains("actual:   404"), "{all}");
    assert!(all.contains("body $.code"), "{all}");
    assert!(all.contains("failing.yaml:9:"), "{all}");
}

#[test]
fn a_broken_spec_exits_2_with_its_location_and_the_other_files_still_run() {
    let dir = scratch("broken");
    std::fs::write(dir.join("good.yaml"), PASSING).unwrap();
    std::fs::write(
        dir.join("broken.yaml"),
        "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /v1/sessions/${nope}\n",
    )
    .unwrap();
    let out = run(&["run", dir.to_str().unwrap()]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("broken.yaml:6:28"), "{all}");
    assert!(all.contains("undefined variable `nope`"), "{all}");
    assert_eq!(
        trial_status(&all, "good::unknown_session_is_not_found"),
        Some("ok"),
        "{all}"
    );
}

#[test]
fn a_folder_without_specs_exits_2() {
    let dir = scratch("empty");
    let out = run(&["run", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no scenario files"), "{}", text(&out));
}

#[test]
fn a_missing_spec_file_exits_2() {
    let out = run(&["run", "no-such-file.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("no-such-file.yaml: no such file"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_mistyped_folder_is_an_error_not_a_green_run() {
    for arg in ["./mytests", "no/such/dir", "~/specs"] {
        let out = run(&["run", arg]);
        assert_eq!(out.status.code(), Some(2), "{arg}: {}", text(&out));
        assert!(
            text(&out).contains(&format!("{arg}: no such file or folder")),
            "{}",
            text(&out)
        );
    }
    // A trial name with a folder in it is still a filter.
    let out = run(&["run", "--list", "sub/dir::name"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn junit_is_written_even_when_no_spec_loads() {
    let dir = scratch("junit-broken");
    std::fs::write(dir.join("broken.yaml"), "scenarios: [\n").unwrap();
    let junit = dir.join("report.xml");
    std::fs::write(&junit, "stale report from an earlier run").unwrap();
    let out = run(&[
        "run",
        dir.join("broken.yaml").to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<error"), "{xml}");
    assert!(xml.contains("broken.yaml"), "{xml}");
}

#[test]
fn a_spec_error_found_while_running_exits_2() {
    let dir = scratch("runtime-spec-error");
    let spec = "scenarios:\n  - name: clear text\n    steps:\n      - name: s\n        method: GET\n        path: http://api.example.com/v1/sessions/x/decision\n";
    std::fs::write(dir.join("clear.yaml"), spec).unwrap();
    let out = run(&["run", dir.to_str().unwrap()]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("error (spec error) in step 1 \"s\":"), "{all}");
    assert_eq!(
        all.matches("refusing to send credentials in clear text")
            .count(),
        1,
        "said once: {all}"
    );
    assert!(all.contains("clear.yaml:6:15"), "{all}");
}

#[test]
fn list_needs_no_credentials_even_with_a_base_url() {
    let out = run(&["run", "--list", "--base-url", "https://api.example.com"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("not_found::unknown_session_id_is_not_found: test")
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let out = run(&[
        "run",
        "--base-url",
        "http://api.example.com",
        "--api-key",
        "k",
        "--shared-secret",
        "s",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("--allow-insecure-http"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_base_url_without_credentials_is_a_usage_error() {
    let out = run(&["run", "--base-url", "https://api.example.com"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("--api-key (or VERIFF_API_KEY)"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_api_key_with_a_line_break_is_a_usage_error_that_does_not_print_it() {
    let out = run(&[
        "run",
        "--base-url",
        "https://api.example.com",
        "--api-key",
        "key-with\nnewline",
        "--shared-secret",
        "s",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let all = text(&out);
    assert!(
        all.contains("--api-key (or VERIFF_API_KEY) has characters"),
        "{all}"
    );
    assert!(!all.contains("key-with"), "{all}");
}

#[test]
fn junit_separates_failures_from_passes() {
    let dir = scratch("junit");
    std::fs::write(dir.join("a.yaml"), PASSING).unwrap();
    std::fs::write(dir.join("b.yaml"), FAILING).unwrap();
    let junit = dir.join("report.xml");
    let out = run(&[
        "run",
        dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(101), "{}", text(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(r#"name="a::unknown_session_is_not_found""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="failure: 2 unmet expectations"#),
        "{xml}"
    );
    assert!(xml.contains(r#"type="nonconformance""#), "{xml}");
    assert!(!xml.contains("<error"), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_variables_stand_in_for_the_flags_and_secrets_stay_hidden() {
    let config = MockConfig {
        api_key: "env-api-key-0001".into(),
        shared_secret: "env-shared-secret-0001".into(),
        ..MockConfig::generated()
    };
    let server = MockServer::start(config).await.unwrap();
    let base = server.base_url();
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .args(["run", "--target-is-mock", "--format", "json"])
            .env("VERIFF_BASE_URL", base)
            .env("VERIFF_API_KEY", "env-api-key-0001")
            .env("VERIFF_SHARED_SECRET", "env-shared-secret-0001")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains(r#""event": "ok""#) || all.contains(r#""event":"ok""#),
        "{all}"
    );
    assert!(
        !all.contains("env-api-key-0001") && !all.contains("env-shared-secret-0001"),
        "{all}"
    );
    server.shutdown().await;
}

#[test]
fn mock_only_scenarios_are_ignored_against_another_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(MockServer::start(MockConfig::generated()))
        .unwrap();
    let junit = scratch("ignored").join("junit.xml");
    let out = bin()
        .args(["run", "--base-url", &server.base_url()])
        .args(["--junit", junit.to_str().unwrap()])
        .args([
            "--api-key",
            &server.config().api_key,
            "--shared-secret",
            &server.config().shared_secret,
        ])
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(
        trial_status(
            &all,
            "server_error::an_unexpected_error_has_the_documented_body"
        ),
        Some(
            "ignored (needs the mock's controls (requires: [mock]); against a served mock, give --target-is-mock)"
        ),
        "{all}"
    );
    // Mock-only scenarios, those needing an opt-in feature not turned on, and
    // those awaiting a webhook (the run has no receiver).
    let ignored = veriff_conformance::load_embedded()
        .scenarios
        .iter()
        .filter(|s| {
            s.requires_mock() || s.required_features().next().is_some() || s.awaits_webhooks()
        })
        .count();
    assert!(ignored >= 2);
    assert!(all.contains(&format!(" {ignored} ignored")), "{all}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<skipped").count(), ignored, "{xml}");
    rt.block_on(server.shutdown());
}

const VECTOR_SECRET: &str = "abcdef12-abcd-abcd-abcd-abcdef012345";
const VECTOR_PAYLOAD: &str = r#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
const VECTOR_SIGNATURE: &str = "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67";

#[test]
fn sign_prints_the_known_answer_signature_of_standard_input() {
    let mut child = bin()
        .args(["sign", "--shared-secret", VECTOR_SECRET])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(VECTOR_PAYLOAD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{VECTOR_SIGNATURE}\n")
    );
}

#[test]
fn sign_reads_the_exact_bytes_of_a_file() {
    let dir = scratch("sign");
    let file = dir.join("body.json");
    std::fs::write(&file, VECTOR_PAYLOAD).unwrap();
    let out = bin()
        .args(["sign", file.to_str().unwrap()])
        .env("VERIFF_SHARED_SECRET", VECTOR_SECRET)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{VECTOR_SIGNATURE}\n")
    );
    // One more byte (a trailing newline) is another signature.
    std::fs::write(&file, format!("{VECTOR_PAYLOAD}\n")).unwrap();
    let out = bin()
        .args([
            "sign",
            "--shared-secret",
            VECTOR_SECRET,
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_ne!(
        String::from_utf8_lossy(&out.stdout),
        format!("{VECTOR_SIGNATURE}\n")
    );
}

#[test]
fn sign_refuses_an_empty_secret() {
    let out = bin()
        .args(["sign", "/dev/null"])
        .env("VERIFF_SHARED_SECRET", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("shared secret is empty"),
        "{}",
        text(&out)
    );
}

#[test]
fn mock_ignores_the_real_credentials_exported_for_run_and_refuses_empty_ones() {
    let out = bin().args(["mock", "--api-key", ""]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--api-key is empty"), "{}", text(&out));

    let mut child = bin()
        .args(["mock", "--listen", "127.0.0.1:0"])
        .env("VERIFF_API_KEY", "real-api-key-never-in-a-mock")
        .env("VERIFF_SHARED_SECRET", "real-secret-never-in-a-mock")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _address = lines.next().unwrap().unwrap();
    let key_line = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        !key_line.contains("(as given)"),
        "generated, not taken from VERIFF_API_KEY: {key_line}"
    );
    assert!(!key_line.contains("real-api-key"), "{key_line}");
}

#[test]
fn run_help_shows_our_options_and_libtests() {
    let out = run(&["run", "--help"]);
    let all = text(&out);
    for option in [
        "--base-url",
        "--shared-secret",
        "--timeout",
        "--junit",
        "--allow-insecure-http",
        "--exact",
        "--list",
    ] {
        assert!(all.contains(option), "{option} missing from:\n{all}");
    }
}

#[test]
fn run_and_receiver_help_show_only_the_libtest_options_that_do_something() {
    for command in ["run", "receiver"] {
        let out = run(&[command, "--help"]);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(0), "{all}");
        for gone in [
            "--bench",
            "-Z",
            "--nocapture",
            "--show-output",
            "Usefull",
            "--test ",
        ] {
            assert!(!all.contains(gone), "{command}: {gone} in:\n{all}");
        }
        for shared in [
            "--ignored\n          Run only the ignored scenarios",
            "--include-ignored\n          Run the ignored scenarios as well as the others",
            "--no-tests <fail|warn|pass>",
            "--jobs <N>",
            "--partition <KIND:K/N>",
        ] {
            assert!(all.contains(shared), "{command}: {shared} missing:\n{all}");
        }
    }
    let out = run(&["run", "--bench"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run(&[&RECEIVER[..], &["--bench"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

/// `receiver` with what it requires, at a URL nothing answers.
const RECEIVER: [&str; 7] = [
    "receiver",
    "--decision-url",
    "http://127.0.0.1:9/decision",
    "--api-key",
    "k",
    "--shared-secret",
    "s",
];

#[test]
fn receiver_takes_no_tests_as_run_does() {
    let receiver = [&RECEIVER[..], &["no_rule_is_called_this"]].concat();
    let out = run(&receiver);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--no-tests=warn"), "{}", text(&out));
    let out = run(&[&receiver[..], &["--no-tests", "warn"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("warning: no scenario matches"),
        "{}",
        text(&out)
    );
}

#[test]
fn run_and_receiver_nocapture_say_that_libtests_flag_does_not_apply_and_suggest_nothing() {
    // The receiver names it first, before the flags it lacks.
    let receiver = [
        "receiver",
        "--decision-url",
        "http://127.0.0.1:9/veriff",
        "--nocapture",
    ];
    for args in [&["run", "--nocapture"][..], &receiver[..]] {
        let out = bin()
            .args(args)
            .env_remove("VERIFF_API_KEY")
            .env_remove("VERIFF_SHARED_SECRET")
            .output()
            .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            all.starts_with("error: libtest's --nocapture does not apply here"),
            "{args:?}: {all}"
        );
        assert!(!all.contains("tip:") && !all.contains("--feature"), "{all}");
    }
}

#[test]
fn run_help_names_every_variable_alike_set_or_not() {
    let out = bin()
        .args(["run", "--help"])
        .env_remove("VERIFF_BASE_URL")
        .output()
        .unwrap();
    let all = text(&out);
    assert!(all.contains("[env: VERIFF_BASE_URL]"), "{all}");
    assert!(all.contains("[env: VERIFF_API_KEY]"), "{all}");
    assert!(!all.contains("=]"), "no empty value shown: {all}");
}

#[test]
fn mock_serves_until_interrupted_and_prints_its_address_and_credentials() {
    let mut child = bin()
        .args([
            "mock",
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            "given-key-123",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let key_line = lines.next().unwrap().unwrap();
    assert!(
        key_line.contains("(as given)") && !key_line.contains("given-key-123"),
        "{key_line}"
    );
    let secret_line = lines.next().unwrap().unwrap();
    assert!(secret_line.contains("shared secret:"), "{secret_line}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        crate::support::http_client()
            .post(format!("{base}/v1/sessions"))
            .header("x-auth-client", "given-key-123")
            .header("content-type", "application/json")
            .body(r#"{"verification":{}}"#)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 201);

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "Ctrl-C stops the mock cleanly");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "mock stopped"), "{rest:?}");
}

#[test]
fn mock_listens_on_a_host_name_and_names_a_bad_address() {
    let mut child = bin()
        .args(["mock", "--listen", "localhost:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with("veriff-conformance mock listening on http://"),
        "{first}"
    );
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));

    for (bad, says) in [
        ("localhost", "expected HOST:PORT"),
        ("localhost:99999", "`99999` is not a port number"),
        (":8080", "the host is missing"),
    ] {
        let out = run(&["mock", "--listen", bad]);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {all}");
        assert!(all.contains(&format!("--listen `{bad}`: {says}")), "{all}");
    }
}

#[test]
fn openapi_prints_yaml_by_default_and_writes_json_to_a_file() {
    let yaml = run(&["openapi"]);
    assert!(yaml.status.success(), "{}", text(&yaml));
    let stdout = String::from_utf8_lossy(&yaml.stdout);
    assert!(stdout.starts_with("openapi: \"3.1.0\"\n"), "{stdout:.200}");
    let file = scratch("openapi").join("veriff.json");
    let json = run(&[
        "openapi",
        "--format",
        "json",
        "--output",
        file.to_str().expect("utf-8"),
    ]);
    assert!(json.status.success(), "{}", text(&json));
    assert!(json.stdout.is_empty());
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("written")).expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["webhooks"]["event"].is_object());
}

#[test]
fn openapi_into_a_folder_that_does_not_exist_is_a_usage_error_naming_it() {
    let output = run(&["openapi", "--output", "/no/such/folder/veriff.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("cannot write /no/such/folder/veriff.yaml"),
        "{}",
        text(&output)
    );
}
