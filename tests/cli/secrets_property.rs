//! No secret in any output, in any form, whatever the secrets are and
//! wherever a spec puts them: a property test over arbitrary API keys and
//! shared secrets, written into arbitrary positions of a spec (request
//! headers, bodies, paths, variables, expected values, patterns, names that
//! are spec errors), run through the binary against the mock holding those
//! credentials. Standard output, standard error, JUnit, the baseline files
//! and the Markdown drift report must hold none of the forms of either secret
//! that [`forms`] lists (as written, JSON-, Rust-, regex- and XML-escaped,
//! percent-encoded).
//!
//! Bounded: 24 cases, two runs of the binary each.

use std::path::Path;

use proptest::prelude::*;
use veriff_conformance::mock::{MockConfig, MockServer};
use veriff_conformance::secret_forms;

use crate::support::{bin, scratch};

/// A secret: 8 to 20 visible ASCII characters an HTTP header can carry,
/// with a bias towards the ones escaping changes.
fn secret() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::char::range('a', 'z'),
            2 => proptest::char::range('0', '9'),
            2 => proptest::sample::select(vec!['-', '.', '+', '/', '"', '\\', '<', '&', '%', '$', '{', '}', '*', '?', '\'', '#', '_', '|', '`', '[', ']']),
        ],
        8..20,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Where a spec puts a text (`{}` stands for it, already a quoted YAML string).
const POSITIONS: &[&str] = &[
    // A request header, a body field and an expected body value (a mismatch shows it).
    "      - name: echo\n        method: PATCH\n        path: /v1/sessions/${gen.uuid}\n        headers: { X-Note: {} }\n        body: { verification: { status: submitted, note: {} } }\n        expect: { body: { message: {} } }\n",
    // A path segment (a 404, a request line, and an error from an unreachable host).
    "      - name: path\n        method: GET\n        path: {}\n        expect: { status: 200 }\n",
    // An expected header value, and a pattern.
    "      - name: header\n        method: PATCH\n        path: /v1/sessions/${gen.uuid}\n        body: { verification: { status: submitted } }\n        expect: { headers: { content-type: {} }, body: { code: { $regex: {} } } }\n",
    // A variable and a signature payload.
    "      - name: var\n        method: PATCH\n        path: /v1/sessions/${v}\n        sign: { payload: {} }\n        body: { verification: { status: submitted } }\n        expect: { status: 200 }\n",
];

fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// A spec with the chosen secrets in the chosen positions. The first
/// scenario passes (so that a baseline is written), the second fails.
fn spec(key: &str, secret: &str, picks: &[(usize, bool)]) -> String {
    let mut out = format!(
        "scenarios:\n  - name: passes and is recorded\n    steps:\n      - name: create\n        method: POST\n        path: /v1/sessions\n        headers: {{ X-Trace: {} }}\n        body: {{ verification: {{ vendorData: {} }} }}\n        expect: {{ status: 201 }}\n  - name: holds the secrets\n    vars: {{ v: {} }}\n    steps:\n",
        quoted(key),
        quoted(secret),
        quoted(secret)
    );
    for &(position, use_key) in picks {
        let text = quoted(if use_key { key } else { secret });
        out.push_str(&POSITIONS[position % POSITIONS.len()].replace("{}", &text));
    }
    out
}

fn read_all(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&read_all(&path));
        } else if let Ok(t) = std::fs::read_to_string(&path) {
            text.push_str(&t);
        }
    }
    text
}

/// `text` as Markdown escaping would show it: written here, apart from the
/// forms the masker knows, so that a form the masker misses is caught.
fn markdown_escaped(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if "\\`*_[]<>|#".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn leaks(text: &str, secrets: &[&str]) -> Vec<String> {
    secrets
        .iter()
        .flat_map(|s| {
            let mut all = secret_forms(s);
            all.push(markdown_escaped(s));
            all.push(s.replace('|', "\\|").replace('`', "'"));
            all
        })
        .filter(|form| text.contains(form.as_str()))
        .collect()
}

fn check(
    case: usize,
    key: &str,
    secret: &str,
    picks: &[(usize, bool)],
) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let mock = runtime
        .block_on(MockServer::start(MockConfig {
            api_key: key.into(),
            shared_secret: secret.into(),
            ..MockConfig::generated()
        }))
        .expect("the mock starts");
    let dir = scratch(&format!("secrets-{case}"));
    let spec_path = dir.join("secrets.yaml");
    std::fs::write(&spec_path, spec(key, secret, picks)).expect("write the spec");
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).expect("a folder");
    let mut everything = String::new();
    for extra in [
        vec![
            "--record-baseline".to_string(),
            reports.join("baseline").display().to_string(),
        ],
        vec![
            "--baseline".to_string(),
            reports.join("baseline").display().to_string(),
            "--drift-report".to_string(),
            reports.join("drift.md").display().to_string(),
        ],
    ] {
        let out = bin()
            .args([
                "run",
                "--base-url",
                &mock.base_url(),
                "--target-is-mock",
                "--timeout",
                "5",
            ])
            .args(["--junit", &reports.join("junit.xml").display().to_string()])
            .args(&extra)
            .arg(&spec_path)
            .env("VERIFF_API_KEY", key)
            .env("VERIFF_SHARED_SECRET", secret)
            .output()
            .expect("the binary runs");
        let code = out.status.code();
        prop_assert!(matches!(code, Some(0 | 2 | 101)), "exit {code:?}");
        everything.push_str(&String::from_utf8_lossy(&out.stdout));
        everything.push_str(&String::from_utf8_lossy(&out.stderr));
        everything.push_str(&read_all(&reports));
    }
    runtime.block_on(mock.shutdown());
    let found = leaks(&everything, &[key, secret]);
    prop_assert!(
        found.is_empty(),
        "forms of a secret leaked: {found:?}\n{everything}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_form_of_a_secret_reaches_any_output_wherever_the_spec_puts_it(
        key in secret(),
        secret in secret(),
        picks in proptest::collection::vec((0usize..4, any::<bool>()), 1..4),
    ) {
        static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let case = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        prop_assume!(key != secret);
        check(case, &key, &secret, &picks)?;
    }
}
