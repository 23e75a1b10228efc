//! Opt-in API features: a scenario that `requires: [feature:delete]` runs
//! only when the user turns the feature on (or against the embedded mock),
//! and is reported ignored with the reason otherwise, so that a user never
//! spends Veriff's delete quota by accident.

use std::process::Output;

use veriff_conformance::mock::{MockConfig, MockServer};

use crate::support::{bin, scratch, text};

const SPEC: &str = r#"
scenarios:
  - name: a created session can be deleted
    requires: [feature:delete]
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: { verification: { vendorData: x } }
        expect: { status: 201 }
        capture: { id: verification.id }
      - name: delete
        method: DELETE
        path: /v1/sessions/${id}
        expect: { status: 200, body: { status: success, verification: { id: "${id}" } } }
"#;

fn run(mock: &MockServer, extra: &[&str], junit: &std::path::Path) -> (Output, String) {
    let dir = junit.parent().unwrap();
    let spec = dir.join("delete.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let out = bin()
        .args(["run", "--base-url", &mock.base_url()])
        .args(["--junit", junit.to_str().unwrap()])
        .args(extra)
        .arg(&spec)
        .env("VERIFF_API_KEY", &mock.config().api_key)
        .env("VERIFF_SHARED_SECRET", &mock.config().shared_secret)
        .output()
        .unwrap();
    let text = text(&out);
    (out, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feature_scenario_is_ignored_with_its_reason_until_the_feature_is_turned_on() {
    let mock = MockServer::start(MockConfig::generated()).await.unwrap();
    let dir = scratch("features");
    let junit = dir.join("junit.xml");

    // The server is not known to be the mock: without --feature nothing is
    // sent. A run of only that scenario would compare nothing, which fails
    // unless allowed.
    let (out, text) = run(&mock, &[], &junit);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("every scenario selected (1) is ignored"),
        "{text}"
    );
    let (out, text) = run(&mock, &["--no-tests=warn"], &junit);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: every scenario selected (1) is ignored"),
        "{text}"
    );
    assert!(text.contains("1 ignored"), "{text}");
    // The terminal says why, as libtest does for `#[ignore = "..."]`.
    assert!(
        text.contains("test delete::a_created_session_can_be_deleted ... ignored (needs the opt-in API feature delete (requires: [feature:delete]); turn it on with --feature delete)"),
        "{text}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("needs the opt-in API feature delete (requires: [feature:delete]); turn it on with --feature delete"),
        "{xml}"
    );

    let (out, text) = run(&mock, &["--feature", "delete"], &junit);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("1 passed") && text.contains("0 ignored"),
        "{text}"
    );

    // An unknown feature is a usage error naming the known ones.
    let (out, text) = run(&mock, &["--feature", "teleport"], &junit);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("delete") && text.contains("watchlist"),
        "{text}"
    );
}
