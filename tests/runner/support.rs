//! Shared helpers for the runner tests: load a scenario from
//! YAML text, run it against a wiremock server (or a hand-written one), and
//! look at the outcome.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use veriff_conformance::Executor;
use veriff_conformance::Loader;
use veriff_conformance::Masker;
use veriff_conformance::Scenario;
use veriff_conformance::Target;
use veriff_conformance::message;
use veriff_conformance::signing::sign;
use veriff_conformance::{CheckKind, Mismatch};
use veriff_conformance::{Failure, Outcome, RunError, ScenarioResult};
use veriff_conformance::{Files, SourceFile};
use wiremock::ResponseTemplate;

/// The API key every test run uses (long enough for the masker).
pub const API_KEY: &str = "key-0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
/// The shared secret every test run uses.
pub const SECRET: &str = "secret-7e6d5c4b-3a2f-4e1d-9c0b-a9b8c7d6e5f4";

/// A target at `base_url` with the test credentials and a 5 s timeout.
pub fn target(base_url: &str) -> Target {
    Target {
        base_url: base_url.to_string(),
        api_key: API_KEY.to_string(),
        shared_secret: SECRET.to_string(),
        timeout: Duration::from_secs(5),
        is_mock: false,
        allow_insecure_http: false,
        features: Vec::new(),
    }
}

/// Every scenario of `yaml`, read as `t.yaml` in `dir`; panics on spec errors.
pub fn scenarios_in(dir: &Path, yaml: &str) -> Vec<Scenario> {
    let path = dir.join("t.yaml");
    let file = SourceFile::new("t.yaml", path, yaml);
    let (scenarios, errors) = Loader::new(Files::Disk).load(&file, "t");
    assert!(
        errors.is_empty(),
        "the test's spec does not load:\n{}",
        errors
            .iter()
            .map(|e| e.render_plain())
            .collect::<Vec<_>>()
            .join("\n")
    );
    scenarios
}

/// The only scenario of `yaml`.
pub fn scenario(yaml: &str) -> Scenario {
    let mut all = scenarios_in(Path::new(""), yaml);
    assert_eq!(all.len(), 1, "expected one scenario");
    all.remove(0)
}

/// Runs `scenario` against `target`.
pub async fn run_on(target: Target, scenario: &Scenario) -> ScenarioResult {
    Executor::new(target)
        .expect("the runner builds")
        .run(scenario)
        .await
}

/// Loads the only scenario of `yaml` and runs it against `base_url`.
pub async fn run(base_url: &str, yaml: &str) -> (Scenario, ScenarioResult) {
    let scenario = scenario(yaml);
    let result = run_on(target(base_url), &scenario).await;
    (scenario, result)
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Passed => "passed".into(),
        Outcome::Ignored(why) => format!("ignored: {why}"),
        Outcome::Failed(f) => format!("failed: {:#?}", f.mismatches),
        Outcome::Errored(e) => format!("errored: {e:#?}"),
    }
}

/// Asserts that the scenario passed.
pub fn assert_passed(result: &ScenarioResult) {
    assert!(
        matches!(result.outcome, Outcome::Passed),
        "expected a pass, got {}",
        describe(&result.outcome)
    );
}

/// The failure of a failed scenario.
pub fn failure(result: &ScenarioResult) -> &Failure {
    match &result.outcome {
        Outcome::Failed(f) => f,
        other => panic!("expected a failure, got {}", describe(other)),
    }
}

/// The error of an errored scenario.
pub fn run_error(result: &ScenarioResult) -> &RunError {
    match &result.outcome {
        Outcome::Errored(e) => e,
        other => panic!("expected an error, got {}", describe(other)),
    }
}

/// A mismatch as a comparable tuple: (kind, path, expected, actual).
pub type Found = (CheckKind, String, String, String);

/// Every mismatch of a failure, in order.
pub fn found(failure: &Failure) -> Vec<Found> {
    failure
        .mismatches
        .iter()
        .map(|m| {
            (
                m.check,
                m.path.clone(),
                m.expected.clone(),
                m.actual.clone(),
            )
        })
        .collect()
}

/// Shorthand for an expected mismatch tuple.
pub fn m(check: CheckKind, path: &str, expected: &str, actual: &str) -> Found {
    (
        check,
        path.to_string(),
        expected.to_string(),
        actual.to_string(),
    )
}

/// The spec text a mismatch points at.
pub fn spec_text<'a>(scenario: &'a Scenario, mismatch: &Mismatch) -> &'a str {
    &scenario.file.text[mismatch.at.clone()]
}

/// The byte offset just after the only occurrence of `prefix` in the spec.
pub fn offset_after(scenario: &Scenario, prefix: &str) -> usize {
    let text = &scenario.file.text;
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("`{prefix}` is not in the spec"));
    assert!(
        text[at + 1..].find(prefix).is_none(),
        "`{prefix}` occurs more than once in the spec"
    );
    at + prefix.len()
}

/// `t.yaml:line:col` of the `nth` (0-based) occurrence of `needle` in the spec.
pub fn spec_location(scenario: &Scenario, needle: &str, nth: usize) -> String {
    let offset = scenario
        .file
        .text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {} times", nth + 1))
        .0;
    let (line, col) = scenario.file.line_col(offset);
    format!("{}:{line}:{col}", scenario.file.name)
}

/// The masker a real run would use.
pub fn masker() -> Masker {
    Masker::new([API_KEY, SECRET])
}

/// The rendered message of a failed scenario.
pub fn failure_message(scenario: &Scenario, result: &ScenarioResult) -> String {
    message::failure(&scenario.file, failure(result), &masker())
}

/// The rendered message of an errored scenario.
pub fn error_message(scenario: &Scenario, result: &ScenarioResult) -> String {
    message::error(&scenario.file, run_error(result), &masker())
}

/// A response with these exact body bytes, as `application/json`.
pub fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// A JSON response signed over its body bytes with the test secret.
pub fn signed_json(status: u16, body: &str) -> ResponseTemplate {
    json(status, body).insert_header("x-hmac-signature", sign(SECRET, body.as_bytes()).as_str())
}

/// The single value of a request header, panicking if it is repeated.
pub fn header<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    let mut values = request.headers.get_all(name).iter();
    let first = values.next()?;
    assert!(values.next().is_none(), "`{name}` was sent more than once");
    Some(first.to_str().expect("a text header value"))
}

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "runner-test-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `relative` (creating folders).
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(path, text).expect("write");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A tiny HTTP/1.1 server that answers every request with 200 and a JSON body
/// of exactly `len` bytes, `{"pad":"aaa…"}`, streamed in 64 KiB writes so that
/// it never holds the body in memory. Returns its base URL. It runs on plain
/// threads, which end with the test process.
pub fn serve_padded_json(len: usize) -> String {
    const PREFIX: &[u8] = br#"{"pad":""#;
    const SUFFIX: &[u8] = br#""}"#;
    assert!(len >= PREFIX.len() + SUFFIX.len());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(mut socket) = socket else { return };
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                // Read the request head; the request has no body.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let status = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
                );
                let chunk = vec![b'a'; 64 * 1024];
                let mut padding = len - PREFIX.len() - SUFFIX.len();
                // A write fails once the client stops reading and hangs up: that ends it.
                if socket.write_all(status.as_bytes()).is_err() || socket.write_all(PREFIX).is_err()
                {
                    return;
                }
                while padding > 0 {
                    let n = padding.min(chunk.len());
                    if socket.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    padding -= n;
                }
                let _ = socket.write_all(SUFFIX);
            });
        }
    });
    format!("http://{addr}")
}

/// A plain HTTP client, with the crypto provider reqwest needs installed.
pub fn http_client() -> reqwest::Client {
    veriff_conformance::install_crypto_provider();
    reqwest::Client::new()
}
