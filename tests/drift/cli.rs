//! Drift as a user meets it: the binary recording a baseline, comparing a
//! later run with it, its exit status, the lines after libtest's summary,
//! the Markdown report and JUnit; re-recordings byte-identical whatever the
//! server's framing; secrets never written; unusable baseline files.

use std::path::Path;

use crate::support::{
    Change, SCENARIO, bin, files, mock, mock_with, reframing_proxy, run_async, scratch, text,
};

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Records the whole suite against the embedded mock with the CLI.
fn record_embedded(dir: &Path) {
    let out = bin()
        .args(["run", "--record-baseline", arg(dir)])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_of_the_same_server_are_byte_identical_whatever_its_key_order_whitespace_escapes_header_case_or_framing()
 {
    let dir = scratch("identical");
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    record_embedded(&a);
    record_embedded(&b);
    let recorded = files(&a);
    let scenarios = veriff_conformance::load_embedded().scenarios.len();
    // One file per scenario, and what the baseline was recorded against.
    assert_eq!(recorded.len(), scenarios + 1, "one file per scenario");
    assert!(recorded.iter().any(|(name, _)| name == "target.json"));
    // A downloaded medium is kept as its length and hash, not as mangled bytes.
    let download = std::fs::read_to_string(
        a.join("media_download/a_downloaded_medium_is_the_uploaded_image.json"),
    )
    .expect("the download scenario's baseline");
    assert!(
        download.contains(r#""body_text": "<282 bytes, sha256 "#),
        "{download}"
    );
    assert_eq!(recorded, files(&b));

    let (proxy, config, _server) = reframing_proxy().await;
    // The proxy does reframe: Title-Case names, chunks, escapes, reversed keys.
    let raw = raw_get(
        &proxy,
        "/v1/sessions/00000000-0000-4000-8000-000000000000",
        &config.api_key,
    )
    .await;
    assert!(raw.starts_with("HTTP/1.1 405"), "{raw}");
    assert!(
        raw.contains("\r\nContent-Type: application/json\r\n"),
        "{raw}"
    );
    assert!(
        raw.contains("\r\nTransfer-Encoding: chunked\r\n") && !raw.contains("Content-Length"),
        "{raw}"
    );
    assert!(
        raw.contains("\r\n7\r\n"),
        "several chunks of 7 bytes: {raw}"
    );
    let body = dechunked(&raw);
    assert!(
        body.contains("\"\\u006D\\u0065\\u0073"),
        "escaped `message`: {body}"
    );
    let keys: Vec<usize> = [
        "\\u006D\\u0065\\u0073",
        "\\u0063\\u006F\\u0064",
        "\\u0073\\u0074\\u0061",
    ]
    .iter()
    .map(|k| body.find(k).expect("key"))
    .collect();
    assert!(
        keys[0] < keys[1] && keys[1] < keys[2],
        "keys reversed: {body}"
    );
    let out = run_async(&proxy, &config, &["--record-baseline", arg(&c)]).await;
    assert!(out.status.success(), "{}", text(&out));
    // Every scenario's file is byte-identical; `target.json` says which target each was.
    let scenario_files = |files: Vec<(String, Vec<u8>)>| {
        files
            .into_iter()
            .filter(|(name, _)| name != "target.json")
            .collect::<Vec<_>>()
    };
    for ((name_a, bytes_a), (name_c, bytes_c)) in scenario_files(recorded.clone())
        .iter()
        .zip(scenario_files(files(&c)))
    {
        assert_eq!(name_a, &name_c);
        assert_eq!(
            String::from_utf8_lossy(bytes_a),
            String::from_utf8_lossy(&bytes_c),
            "{name_a}"
        );
    }
    // And comparing the reframed server with the plain baseline finds nothing
    // (told that it was recorded against this server, so that only the framing differs).
    std::fs::copy(c.join("target.json"), a.join("target.json")).unwrap();
    let out = run_async(&proxy, &config, &["--baseline", arg(&a)]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stdout(&out).lines().last(),
        Some("drift: 0 breaking, 0 compatible")
    );
}

/// A GET over a plain TCP connection, the response as it came on the wire.
async fn raw_get(base_url: &str, path: &str, api_key: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base_url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nX-AUTH-CLIENT: {api_key}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    String::from_utf8_lossy(&out).to_string()
}

/// The body of a chunked response as it was on the wire.
fn dechunked(raw: &str) -> String {
    let mut rest = &raw[raw.find("\r\n\r\n").expect("head") + 4..];
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size, 16).expect("chunk size");
        if size == 0 {
            break;
        }
        body.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breaking_drift_fails_its_trial_with_exit_101_and_the_run_ends_with_one_summary_line() {
    let dir = scratch("breaking").join("baseline");
    let good = mock(Change::Nothing).await;
    let out = run_async(
        &good.base_url(),
        good.config(),
        &["--record-baseline", arg(&dir), SCENARIO, "--exact"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));

    let changed = mock(Change::ChangedStatus).await;
    let out = run_async(
        &changed.base_url(),
        changed.config(),
        &["--baseline", arg(&dir), SCENARIO, "--exact"],
    )
    .await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(101), "{all}");
    assert!(
        all.contains(&format!("test {SCENARIO} ... FAILED")),
        "{all}"
    );
    assert!(
        all.contains(
            "failure: 1 unmet expectation in step 2 \"submit with an API key that is not ours\"\n  --> specs/authentication.yaml:"
        ),
        "{all}"
    );
    assert!(
        all.contains("  1. drift status (breaking, status changed)\n       baseline: 401\n       actual:   403\n       at specs/authentication.yaml:"),
        "{all}"
    );
    assert!(
        all.contains("  breaking    status changed        status: 401 -> 403"),
        "{all}"
    );
    let stdout = stdout(&out);
    assert_eq!(
        stdout.lines().last(),
        Some("drift: 1 breaking (1 distinct), 0 compatible"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("drift: ").count(), 1, "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compatible_drift_is_listed_after_the_summary_and_fails_only_with_deny_drift() {
    let dir = scratch("compatible").join("baseline");
    let good = mock(Change::Nothing).await;
    let out = run_async(
        &good.base_url(),
        good.config(),
        &["--record-baseline", arg(&dir), SCENARIO, "--exact"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));

    let changed = mock(Change::AddedField).await;
    let out = run_async(
        &changed.base_url(),
        changed.config(),
        &["--baseline", arg(&dir), SCENARIO, "--exact"],
    )
    .await;
    let stdout = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let summary = stdout.find("test result: ok.").expect("libtest's summary");
    let block = stdout
        .find("\n---- drift, by change ----\n")
        .expect("the drift block");
    assert!(summary < block, "{stdout}");
    assert!(
        stdout.contains(&format!(
            "  compatible  field added           $.verification.newField: absent -> \"new\"  (once in {SCENARIO})"
        )),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("drift: 0 breaking, 1 compatible (1 distinct)")
    );

    let out = run_async(
        &changed.base_url(),
        changed.config(),
        &["--baseline", arg(&dir), "--deny-drift", SCENARIO, "--exact"],
    )
    .await;
    assert_eq!(out.status.code(), Some(101), "{}", text(&out));
    assert!(
        text(&out).contains("1. drift $.verification.newField (compatible, field added)"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_in_uppercase_hex_is_a_warning_that_counts_and_fails_only_with_deny_drift() {
    let changed = mock(Change::UppercaseSignature).await;
    let out = run_async(
        &changed.base_url(),
        changed.config(),
        &[SCENARIO, "--exact"],
    )
    .await;
    let stdout = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout.contains("  warning     signature             x-hmac-signature: \""),
        "{stdout}"
    );
    assert!(
        stdout.contains("which verifies but is not lowercase hex"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("warnings: 1"),
        "no drift line without --baseline"
    );

    let out = run_async(
        &changed.base_url(),
        changed.config(),
        &["--deny-drift", SCENARIO, "--exact"],
    )
    .await;
    assert_eq!(out.status.code(), Some(101), "{}", text(&out));
    assert!(
        text(&out).contains("signature x-hmac-signature (warning, denied by --deny-drift)"),
        "{}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_baseline_a_drift_report_or_junit() {
    let dir = scratch("secrets");
    let baseline = dir.join("baseline");
    let echoing = mock(Change::EchoesSecrets).await;
    let config = echoing.config().clone();
    let out = run_async(
        &echoing.base_url(),
        &config,
        &["--record-baseline", arg(&baseline), SCENARIO, "--exact"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    // The same credentials, and the echo is gone: breaking drift that shows the masked echo.
    let plain = mock_with(Change::Nothing, config.clone()).await;
    let (report, junit) = (dir.join("drift.md"), dir.join("junit.xml"));
    let out = run_async(
        &plain.base_url(),
        &config,
        &[
            "--baseline",
            arg(&baseline),
            "--drift-report",
            arg(&report),
            "--junit",
            arg(&junit),
            SCENARIO,
            "--exact",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(101), "{}", text(&out));
    let mut written: Vec<(String, String)> = files(&baseline)
        .into_iter()
        .map(|(name, bytes)| (name, String::from_utf8(bytes).expect("utf-8")))
        .collect();
    written.push((
        "report".into(),
        std::fs::read_to_string(&report).expect("report"),
    ));
    written.push((
        "junit".into(),
        std::fs::read_to_string(&junit).expect("junit"),
    ));
    written.push(("output".into(), text(&out)));
    for (name, content) in &written {
        for secret in [&config.api_key, &config.shared_secret] {
            assert!(
                !content.contains(secret.as_str()),
                "{name} holds a secret:\n{content}"
            );
        }
    }
    let recorded = &written[0].1;
    assert!(recorded.contains("\"echo\": \"*** ***\""), "{recorded}");
    assert!(
        recorded.contains("\"x-auth-client\": \"<api-key>\""),
        "{recorded}"
    );
    let md = &written
        .iter()
        .find(|(name, _)| name == "report")
        .expect("the report")
        .1;
    assert!(
        md.starts_with("**drift: 1 breaking (1 distinct), 0 compatible**"),
        "{md}"
    );
    assert!(
        md.contains("| **breaking** | field removed | `$.echo` | `\"*** ***\"` | `absent` |"),
        "{md}"
    );
    let xml = &written
        .iter()
        .find(|(name, _)| name == "junit")
        .expect("junit")
        .1;
    assert!(
        xml.contains(
            "<property name=\"drift\" value=\"drift: 1 breaking (1 distinct), 0 compatible\"/>"
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<system-out>step 1 &quot;create a session&quot; POST /v1/sessions"),
        "{xml}"
    );
}

#[test]
fn new_and_gone_scenarios_are_reported_and_fail_nothing() {
    let dir = scratch("new-gone").join("baseline");
    record_embedded(&dir);
    std::fs::remove_file(dir.join("not_found/unknown_session_id_is_not_found.json")).unwrap();
    std::fs::create_dir_all(dir.join("retired")).unwrap();
    std::fs::write(dir.join("retired/old_scenario.json"), "not even JSON").unwrap();
    let out = bin()
        .args(["run", "--baseline", arg(&dir)])
        .output()
        .expect("runs");
    let stdout = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout.contains("\nnew: not_found::unknown_session_id_is_not_found has no baseline file "),
        "{stdout}"
    );
    assert!(
        stdout.contains("gone: ")
            && stdout
                .contains("retired/old_scenario.json (no scenario retired::old_scenario any more"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("drift: 0 breaking, 0 compatible, 1 new")
    );
}

#[test]
fn a_corrupt_or_hand_edited_baseline_file_is_an_error_naming_the_file_with_exit_2() {
    let dir = scratch("corrupt").join("baseline");
    record_embedded(&dir);
    let file = dir.join("submit/double_submit_is_rejected.json");
    let good = std::fs::read_to_string(&file).unwrap();
    let cases = [
        (good[..good.len() / 2].to_string(), "EOF while parsing"),
        (
            good.replacen("\"status\": 201", "\"status\": \"201\"", 1),
            "invalid type: string \"201\"",
        ),
        (
            good.replacen("\"format\": 1", "\"format\": 1, \"extra\": true", 1),
            "unknown field `extra`",
        ),
        (good.replacen("\"step\": 2", "\"step\": 7", 1), "numbered 7"),
        ("\u{0}\u{1}binary".to_string(), "expected value"),
    ];
    for (content, says) in cases {
        std::fs::write(&file, &content).unwrap();
        let out = bin()
            .args(["run", "--baseline", arg(&dir)])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("error: baseline file {}: ", file.display())),
            "{err}"
        );
        assert!(err.contains(says), "{says}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("test result"),
            "nothing runs"
        );
    }
    let out = bin()
        .args(["run", "--baseline", arg(&dir.join("missing"))])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // A folder, named as one, and the first line: nothing was started before it.
    assert!(
        err.starts_with(&format!(
            "error: baseline folder {}: cannot read it (",
            dir.join("missing").display()
        )),
        "{err}"
    );
    assert!(err.contains("record one with --record-baseline"), "{err}");
}
