//! `retry: { until, every, for }`: a step polled until its answer meets
//! `until`, then judged by its `expect`; one that never converges fails with
//! its last answer. Bad bounds are spec errors pointing at the value.

use std::path::Path;

use veriff_conformance::CheckKind::Body;
use veriff_conformance::Loader;
use veriff_conformance::Polling;
use veriff_conformance::message;
use veriff_conformance::{Files, SourceFile};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer};

use crate::support::*;

const ID: &str = "3f0c2a4e-8d5b-4c1a-9e7f-1a2b3c4d5e6f";

/// Polls the decision of session `ID` until `verification` is an object.
fn poll_decision(every: &str, within: &str, expect: &str) -> String {
    format!(
        "
scenarios:
  - name: wait for the decision
    vars:
      id: {ID}
    steps:
      - name: poll the decision
        method: GET
        path: /v1/sessions/${{id}}/decision
        retry:
          until:
            body: {{ verification: {{ $type: object }} }}
          every: {every}
          for: {within}
        expect: {expect}
        capture:
          decided: verification.status
"
    )
}

async fn decision_server(nulls: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(format!("/v1/sessions/{ID}/decision")))
        .respond_with(signed_json(
            200,
            r#"{"status":"success","verification":null}"#,
        ))
        .up_to_n_times(nulls)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(format!("/v1/sessions/{ID}/decision")))
        .respond_with(signed_json(
            200,
            r#"{"status":"success","verification":{"status":"approved"}}"#,
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_polling_step_that_converges_is_judged_on_the_answer_that_met_until() {
    let server = decision_server(2).await;
    let (_, result) = run(
        &server.uri(),
        &poll_decision(
            "50ms",
            "5s",
            "{ status: 200, body: { verification: { status: approved } } }",
        ),
    )
    .await;
    assert_passed(&result);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let polling = result.steps[0].attempts.polling.clone().unwrap();
    assert_eq!((polling.attempts, polling.converged), (3, true));
    assert_eq!(
        result.steps[0].exchange.response.json.as_ref().unwrap()["verification"]["status"],
        "approved"
    );
    // Every attempt is signed and sent afresh.
    for request in server.received_requests().await.unwrap() {
        assert!(header(&request, "x-hmac-signature").is_some());
    }
}

#[tokio::test]
async fn a_converged_answer_that_breaks_expect_fails_on_expect() {
    let server = decision_server(1).await;
    let (_, result) = run(
        &server.uri(),
        &poll_decision(
            "50ms",
            "5s",
            "{ body: { verification: { status: declined } } }",
        ),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [m(
            Body,
            "$.verification.status",
            "\"declined\"",
            "\"approved\""
        )]
    );
    assert_eq!(
        result.steps[0]
            .attempts
            .polling
            .as_ref()
            .map(|p| p.converged),
        Some(true)
    );
}

#[tokio::test]
async fn a_polling_step_that_never_converges_fails_with_its_last_answer_and_what_did_not_hold() {
    let server = decision_server(u64::MAX).await;
    let (scenario, result) = run(
        &server.uri(),
        &poll_decision("100ms", "500ms", "{ status: 200 }"),
    )
    .await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [m(
            Body,
            "$.verification",
            "a value of type object",
            "null (null)"
        )]
    );
    // The unmet expectation points at `until`, not at `expect`.
    let at = f.mismatches[0].at.start;
    let until = offset_after(&scenario, "until:");
    assert!(
        (until..offset_after(&scenario, "every:")).contains(&at),
        "points at {:?}",
        spec_text(&scenario, &f.mismatches[0])
    );
    let sent = server.received_requests().await.unwrap().len();
    let Polling {
        attempts,
        converged,
        ..
    } = result.steps[0].attempts.polling.clone().unwrap();
    assert!(!converged);
    assert_eq!(attempts as usize, sent);
    // Sent at 0, 100, ... and never past `for`: at most 6 requests, fewer
    // when answers are slow on a loaded machine, but more than one.
    assert!((2..=6).contains(&sent), "{sent} requests");
    let text = message::of(&result, &masker()).unwrap();
    assert!(
        text.contains(r#"response: 200 {"status":"success","verification":null}"#),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "note: polled {sent} times in {:.1} s and `retry.until` never held; the last answer is shown",
            result.steps[0].attempts.polling.as_ref().unwrap().elapsed.as_secs_f64()
        )),
        "{text}"
    );
}

#[tokio::test]
async fn until_may_check_the_status_too() {
    let server = MockServer::start().await;
    Mock::given(path("/later"))
        .respond_with(json(404, "{}"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/later"))
        .respond_with(json(200, "{}"))
        .with_priority(2)
        .mount(&server)
        .await;
    let yaml = "
scenarios:
  - name: wait for it
    steps:
      - name: get it
        method: GET
        path: /later
        sign: none
        retry: { until: { status: 200 }, every: 10ms, for: 2s }
";
    let (_, result) = run(&server.uri(), yaml).await;
    assert_passed(&result);
    assert_eq!(
        result.steps[0].attempts.polling.as_ref().unwrap().attempts,
        2
    );
}

/// Loads `retry:` text under one step and returns the rendered spec errors.
fn errors_for(retry: &str) -> Vec<String> {
    let yaml = format!(
        "
scenarios:
  - name: poll
    steps:
      - name: get it
        method: GET
        path: /x
        sign: none
        retry: {retry}
"
    );
    let file = SourceFile::new("t.yaml", Path::new("t.yaml"), yaml);
    let (_, errors) = Loader::new(Files::Disk).load(&file, "t");
    errors.iter().map(|e| e.render_plain()).collect()
}

#[test]
fn bad_retry_bounds_are_spec_errors_pointing_at_the_value() {
    // (retry, message, the value the error points at)
    let cases = [
        (
            "{ until: { status: 200 }, every: 5 }",
            "`retry.every` is not a duration",
            "5 }",
        ),
        (
            "{ until: { status: 200 }, for: 2h }",
            "`retry.for` is not a duration",
            "2h",
        ),
        (
            "{ until: { status: 200 }, for: 61m }",
            "`retry.for` is 61m, longer than 60m",
            "61m",
        ),
        (
            "{ until: { status: 200 }, every: 1ms }",
            "`retry.every` is 1ms, shorter than 10ms",
            "1ms",
        ),
        (
            "{ until: { status: 200 }, every: 2s, for: 1s }",
            "`retry.every` (2s) is longer than `retry.for` (1s)",
            "2s",
        ),
    ];
    for (retry, message, value) in cases {
        let errors = errors_for(retry);
        assert_eq!(errors.len(), 1, "{retry}: {errors:#?}");
        assert!(errors[0].contains(message), "{retry}: {}", errors[0]);
        // `retry: ` ends at column 15 of line 9.
        let column = 16 + retry.find(value).unwrap();
        assert!(
            errors[0].contains(&format!("t.yaml:9:{column}")),
            "{retry}: {}",
            errors[0]
        );
    }
    let missing = errors_for("{ every: 1s }");
    assert_eq!(missing.len(), 1, "{missing:#?}");
    assert!(missing[0].contains("until"), "{}", missing[0]);
    let unknown = errors_for("{ until: { status: 200 }, times: 3 }");
    assert!(unknown[0].contains("times"), "{}", unknown[0]);
}
