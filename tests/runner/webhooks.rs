//! Steps that await a webhook: webhooks are posted to a real receiver (as
//! Veriff or the embedded mock would post them, signed with the test
//! secret), and the step finds, checks and captures them.

use std::sync::Arc;

use veriff_conformance::signing::sign;
use veriff_conformance::{
    CheckKind, Executor, Inbox, Outcome, Scenario, ScenarioResult, WebhookReceiver, ignores,
};

use crate::support::{
    API_KEY, SECRET, TempDir, assert_passed, failure, failure_message, found, m, run_error,
    scenario, scenarios_in, target,
};

/// A receiver on a free loopback port, and a runner whose webhook steps await in it.
async fn listening() -> (WebhookReceiver, Arc<Executor>) {
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
        .await
        .expect("the receiver listens");
    // No step of these tests sends a request: the base URL is never used.
    let runner = Executor::new(target("http://127.0.0.1:9"))
        .expect("the runner builds")
        .awaiting_webhooks(receiver.inbox().clone(), receiver.url());
    (receiver, Arc::new(runner))
}

/// Posts `body` to the receiver with these `X-AUTH-CLIENT` and
/// `X-HMAC-SIGNATURE` values (`None`: left out); returns the status.
async fn post_as(
    receiver: &WebhookReceiver,
    body: &str,
    key: Option<&str>,
    signature: Option<String>,
) -> u16 {
    let mut request = crate::support::http_client()
        .post(format!("{}/webhooks/any", receiver.url()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.header("x-auth-client", key);
    }
    if let Some(signature) = signature {
        request = request.header("x-hmac-signature", signature);
    }
    request
        .send()
        .await
        .expect("the receiver answers")
        .status()
        .as_u16()
}

/// Posts `body` as Veriff does: the API key, and the signature over its bytes.
async fn post(receiver: &WebhookReceiver, body: &str) {
    let status = post_as(
        receiver,
        body,
        Some(API_KEY),
        Some(sign(SECRET, body.as_bytes())),
    )
    .await;
    assert_eq!(status, 200);
}

fn decision(session: &str, status: &str, code: u32) -> String {
    format!(
        r#"{{"status":"success","verification":{{"id":"{session}","attemptId":"a-1","status":"{status}","code":{code},"reason":null}},"technicalData":{{"ip":"127.0.0.1"}}}}"#
    )
}

fn event(session: &str, action: &str, code: u32) -> String {
    format!(
        r#"{{"id":"{session}","attemptId":"a-1","feature":"selfid","code":{code},"action":"{action}","vendorData":null,"endUserId":null}}"#
    )
}

/// One scenario awaiting an approved decision for session `s-1` within `within`.
fn awaiting_approval(within: &str) -> Scenario {
    scenario(&format!(
        r#"
scenarios:
  - name: the decision arrives
    vars: {{ id: s-1 }}
    steps:
      - name: approved
        webhook: {{ type: decision, session: "${{id}}", within: {within} }}
        expect:
          body: {{ verification: {{ status: approved, code: 9001 }} }}
        capture: {{ decision_id: verification.id }}
"#
    ))
}

#[tokio::test]
async fn a_webhook_that_arrived_before_the_step_started_satisfies_it() {
    let (receiver, runner) = listening().await;
    post(&receiver, &decision("s-1", "approved", 9001)).await;
    let result = runner.run(&awaiting_approval("10s")).await;
    assert_passed(&result);
    // The webhook is the step's exchange: its headers and its bytes.
    let exchange = &result.steps[0].exchange;
    assert_eq!(exchange.request.method.as_str(), "WEBHOOK");
    assert_eq!(exchange.response.status, 200);
    assert_eq!(
        exchange.response.body,
        decision("s-1", "approved", 9001).as_bytes()
    );
}

#[tokio::test]
async fn a_webhook_that_arrives_while_the_step_waits_wakes_it() {
    let (receiver, runner) = listening().await;
    let scenario = awaiting_approval("60m");
    let waiting = tokio::spawn({
        let runner = Arc::clone(&runner);
        async move { runner.run(&scenario).await }
    });
    // Posted only once the step is waiting: no sleep, no wall-clock bound.
    while receiver.inbox().waiters() == 0 {
        tokio::task::yield_now().await;
    }
    post(&receiver, &decision("s-1", "approved", 9001)).await;
    let result = waiting.await.expect("the scenario ends");
    assert_passed(&result);
}

#[tokio::test]
async fn a_webhook_that_never_comes_fails_naming_what_was_awaited_and_what_arrived() {
    let (receiver, runner) = listening().await;
    post(&receiver, &event("s-1", "started", 7001)).await;
    post(&receiver, &decision("other", "approved", 9001)).await;
    let scenario = awaiting_approval("300ms");
    let result = runner.run(&scenario).await;
    let f = failure(&result);
    assert_eq!(f.mismatches.len(), 1);
    let mismatch = &f.mismatches[0];
    assert_eq!(mismatch.check, CheckKind::Webhook);
    assert_eq!(
        mismatch.expected,
        r#"a decision webhook for session "s-1" within 300ms"#
    );
    // How long it waited: the 300 ms, and whatever a loaded machine adds.
    let waited: f64 = mismatch
        .actual
        .strip_prefix("none within ")
        .and_then(|rest| rest.split(" s;").next())
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or_else(|| panic!("no wait in {:?}", mismatch.actual));
    assert!(waited >= 0.3, "{}", mismatch.actual);
    assert!(
        mismatch.actual.ends_with(&format!(
            r#"arrived at {}: 1 decision for session "other", 1 event for session "s-1""#,
            receiver.url()
        )),
        "{}",
        mismatch.actual
    );
    // It points at the time limit, and nothing is kept as the step's exchange.
    assert_eq!(&scenario.file.text[mismatch.at.clone()], "300ms");
    assert!(result.steps.is_empty());
    let text = failure_message(&scenario, &result);
    assert!(text.contains("1. webhook"), "{text}");
    assert!(text.contains("  received: nothing\n"), "{text}");
}

#[tokio::test]
async fn an_unsigned_or_a_wrongly_signed_webhook_never_satisfies_a_step() {
    let body = decision("s-1", "approved", 9001);
    let cases: [(&str, Option<&str>, Option<String>, Found); 2] = [
        (
            "unsigned",
            Some(API_KEY),
            None,
            m(
                CheckKind::Signature,
                "x-hmac-signature",
                "",
                "no x-hmac-signature header",
            ),
        ),
        (
            "signed with another secret",
            Some(API_KEY),
            Some(sign("another-secret", body.as_bytes())),
            m(
                CheckKind::Signature,
                "x-hmac-signature",
                "",
                "does not verify",
            ),
        ),
    ];
    for (what, key, signature, (check, path, expected, actual)) in cases {
        let (receiver, runner) = listening().await;
        assert_eq!(
            post_as(&receiver, &body, key, signature).await,
            200,
            "{what}"
        );
        let result = runner.run(&awaiting_approval("200ms")).await;
        let unmet = found(failure(&result));
        assert_eq!(unmet.len(), 1, "{what}: {unmet:?}");
        let (c, p, e, a) = &unmet[0];
        assert_eq!((c, p.as_str()), (&check, path.as_str()), "{what}");
        assert!(e.contains(&expected), "{what}: {e}");
        assert!(a.contains(&actual), "{what}: {a}");
        // Reported against the webhook that came.
        assert_eq!(
            failure(&result).exchange.response.body,
            body.as_bytes(),
            "{what}"
        );
    }
}

type Found = crate::support::Found;

#[tokio::test]
async fn a_signed_webhook_without_x_auth_client_or_with_another_key_satisfies_a_step_with_a_warning()
 {
    // Only Veriff's older docs say every webhook carries the API key.
    let body = decision("s-1", "approved", 9001);
    for (key, said) in [
        (None, "absent"),
        (
            Some("another-key"),
            "\"another-key\", another key than the run's",
        ),
    ] {
        let (receiver, runner) = listening().await;
        let signature = Some(sign(SECRET, body.as_bytes()));
        assert_eq!(post_as(&receiver, &body, key, signature).await, 200);
        let result = runner.run(&awaiting_approval("200ms")).await;
        assert!(
            matches!(result.outcome, Outcome::Passed),
            "{key:?}: {:?}",
            result.outcome
        );
        let warnings: Vec<(&str, &str)> = result
            .warnings()
            .map(|(_, w)| (w.path.as_str(), w.actual.as_str()))
            .collect();
        assert_eq!(warnings, [("x-auth-client", said)], "{key:?}");
    }
}

#[tokio::test]
async fn the_first_webhook_that_meets_every_expectation_is_taken_after_ones_that_do_not() {
    let (receiver, runner) = listening().await;
    let unsigned = decision("s-1", "approved", 9001);
    post_as(&receiver, &unsigned, Some(API_KEY), None).await;
    post(&receiver, &decision("s-1", "declined", 9102)).await;
    let good =
        r#"{"status":"success","verification":{"id":"s-1","status":"approved","code":9001,"n":1}}"#;
    post(&receiver, good).await;
    post(&receiver, &decision("s-1", "approved", 9001)).await;
    let result = runner.run(&awaiting_approval("10s")).await;
    assert_passed(&result);
    assert_eq!(result.steps[0].exchange.response.body, good.as_bytes());
}

#[tokio::test]
async fn when_none_meets_the_expectations_the_latest_one_is_reported() {
    let (receiver, runner) = listening().await;
    post(&receiver, &decision("s-1", "declined", 9102)).await;
    post(&receiver, &decision("s-1", "review", 9121)).await;
    let result = runner.run(&awaiting_approval("200ms")).await;
    let f = failure(&result);
    assert_eq!(
        f.exchange.response.body,
        decision("s-1", "review", 9121).as_bytes()
    );
    assert_eq!(
        found(f),
        [
            m(
                CheckKind::Body,
                "$.verification.status",
                "\"approved\"",
                "\"review\""
            ),
            m(CheckKind::Body, "$.verification.code", "9001", "9121"),
        ]
    );
}

#[tokio::test]
async fn concurrent_scenarios_each_see_only_the_webhooks_of_their_own_session() {
    let (receiver, runner) = listening().await;
    let yaml = |name: &str, session: &str| {
        format!(
            r#"
scenarios:
  - name: {name}
    vars: {{ id: {session} }}
    steps:
      - name: its decision
        webhook: {{ type: decision, session: "${{id}}", within: 60m }}
        expect: {{ body: {{ verification: {{ id: "${{id}}" }} }} }}
        capture: {{ status: verification.status }}
      - name: its status is kept
        webhook: {{ type: decision, session: "${{id}}", within: 60m }}
        expect: {{ body: {{ verification: {{ status: "${{status}}" }} }} }}
"#
        )
    };
    let spawn = |scenario: Scenario| {
        let runner = Arc::clone(&runner);
        tokio::spawn(async move { runner.run(&scenario).await })
    };
    let a = spawn(scenario(&yaml("session a", "s-a")));
    let b = spawn(scenario(&yaml("session b", "s-b")));
    while receiver.inbox().waiters() < 2 {
        tokio::task::yield_now().await;
    }
    post(&receiver, &decision("s-b", "declined", 9102)).await;
    post(&receiver, &decision("s-a", "approved", 9001)).await;
    let (a, b): (ScenarioResult, ScenarioResult) = (a.await.unwrap(), b.await.unwrap());
    assert_passed(&a);
    assert_passed(&b);
    let status = |r: &ScenarioResult| {
        let json = r.steps[1].exchange.response.json.clone().unwrap();
        json["verification"]["status"].clone()
    };
    assert_eq!(
        (status(&a), status(&b)),
        ("approved".into(), "declined".into())
    );
}

#[tokio::test]
async fn a_captured_value_of_a_webhook_is_used_by_later_steps() {
    let (receiver, runner) = listening().await;
    post(&receiver, &event("s-1", "submitted", 7002)).await;
    post(&receiver, &decision("a-1", "approved", 9001)).await;
    let scenario = scenario(
        r#"
scenarios:
  - name: the attempt of the event names the decision
    vars: { id: s-1 }
    steps:
      - name: submitted
        webhook: { type: event, session: "${id}", within: 10s }
        expect: { body: { action: submitted, code: 7002 } }
        capture: { attempt: attemptId }
      - name: a decision keyed by that attempt
        webhook: { type: decision, session: "${attempt}", within: 10s }
"#,
    );
    let result = runner.run(&scenario).await;
    assert_passed(&result);
    assert_eq!(result.steps.len(), 2);
}

#[tokio::test]
async fn an_exact_body_fails_on_an_extra_field_that_a_subset_allows() {
    let (receiver, runner) = listening().await;
    post(&receiver, &event("s-1", "started", 7001)).await;
    let yaml = |mode: &str| {
        format!(
            r#"
scenarios:
  - name: the event
    vars: {{ id: s-1 }}
    steps:
      - name: started
        webhook: {{ type: event, session: "${{id}}", within: 200ms }}
        expect:
          body_match: {mode}
          body: {{ id: "${{id}}", attemptId: a-1, feature: selfid, code: 7001, action: started, vendorData: null }}
"#
        )
    };
    assert_passed(&runner.run(&scenario(&yaml("subset"))).await);
    let result = runner.run(&scenario(&yaml("exact"))).await;
    assert_eq!(
        found(failure(&result)),
        [m(
            CheckKind::Body,
            "$.endUserId",
            "no such field (exact match)",
            "null"
        )]
    );
}

#[tokio::test]
async fn a_webhook_is_checked_against_a_schema() {
    let dir = TempDir::new();
    dir.write(
        "schemas/event.json",
        r#"{"type":"object","required":["id","action","code"],"properties":{"code":{"enum":[7001,7002]}}}"#,
    );
    let yaml = r#"
scenarios:
  - name: the event
    vars: { id: s-1 }
    steps:
      - name: started
        webhook: { type: event, session: "${id}", within: 200ms }
        expect: { schema: schemas/event.json }
"#;
    let scenario = scenarios_in(dir.path(), yaml).remove(0);
    let (receiver, runner) = listening().await;
    post(&receiver, &event("s-1", "started", 7001)).await;
    assert_passed(&runner.run(&scenario).await);
    let (receiver, runner) = listening().await;
    post(&receiver, &event("s-1", "started", 7003)).await;
    let result = runner.run(&scenario).await;
    let unmet = found(failure(&result));
    assert_eq!(unmet.len(), 1, "{unmet:?}");
    assert_eq!(
        (unmet[0].0, unmet[0].1.as_str()),
        (CheckKind::Schema, "$.code")
    );
}

#[tokio::test]
async fn a_webhook_step_without_a_receiver_is_an_error_and_the_planner_ignores_it() {
    let scenario = awaiting_approval("1s");
    let runner = Executor::new(target("http://127.0.0.1:9")).expect("the runner builds");
    let result = runner.run(&scenario).await;
    let e = run_error(&result);
    assert!(
        e.message
            .ends_with("needs a webhook receiver: run --webhook-listen ADDR"),
        "{}",
        e.message
    );
    assert_eq!(
        ignores(&target("https://example.com"), false, &scenario).as_deref(),
        Some("needs a webhook receiver: run --webhook-listen ADDR")
    );
    assert_eq!(
        ignores(&target("https://example.com"), true, &scenario),
        None
    );
}

#[tokio::test]
async fn a_run_without_a_receiver_reports_webhook_scenarios_as_ignored_and_with_one_runs_them() {
    let dir = TempDir::new();
    dir.write(
        "w.yaml",
        r#"
scenarios:
  - name: the decision arrives
    vars: { id: s-1 }
    steps:
      - name: approved
        webhook: { type: decision, session: "${id}", within: 100ms }
"#,
    );
    let junit = dir.path().join("junit.xml");
    // A server that knows no session (wiremock answers 404 to everything):
    // the run's preflight goes on, and the webhook step sends nothing to it.
    let server = wiremock::MockServer::start().await;
    let options = |listen: Option<String>| {
        let mut options = veriff_conformance::Options {
            paths: vec![dir.path().join("w.yaml")],
            junit: Some(junit.clone()),
            webhook_listen: listen,
            // Without a receiver the only scenario is ignored: allowed here.
            no_tests: veriff_conformance::NoTests::Warn,
            ..veriff_conformance::Options::default()
        };
        options.target.base_url = Some(server.uri());
        options.target.api_key = Some(API_KEY.into());
        options.target.shared_secret = Some(SECRET.into());
        options.libtest.quiet = true;
        options.libtest.logfile = Some(dir.path().join("log").display().to_string());
        options
    };
    let run = |o| tokio::task::spawn_blocking(move || veriff_conformance::run(o));
    let status = run(options(None)).await.unwrap();
    assert_eq!(status, std::process::ExitCode::SUCCESS);
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(
        report.contains("needs a webhook receiver: run --webhook-listen ADDR"),
        "{report}"
    );
    // With a receiver the scenario runs, and fails: nothing posts its webhook.
    let status = run(options(Some("127.0.0.1:0".into()))).await.unwrap();
    assert_eq!(status, std::process::ExitCode::from(101));
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(
        report.contains("a decision webhook for session"),
        "{report}"
    );
}

#[tokio::test]
async fn the_receiver_refuses_a_body_over_its_bound_and_holds_a_bounded_number() {
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::new(3))
        .await
        .unwrap();
    let client = crate::support::http_client();
    let huge = vec![b' '; veriff_conformance::MAX_WEBHOOK_BYTES + 1];
    let status = client
        .post(receiver.url())
        .body(huge)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 413);
    assert_eq!(receiver.inbox().received(), 0, "a refused body is not kept");
    let status = client.get(receiver.url()).send().await.unwrap().status();
    assert_eq!(status, 405);
    for n in 1..=5 {
        post(&receiver, &event(&format!("s-{n}"), "started", 7001)).await;
    }
    let held: Vec<Option<String>> = receiver
        .inbox()
        .after(0)
        .iter()
        .map(|w| w.session.clone())
        .collect();
    assert_eq!(
        held,
        [Some("s-3".into()), Some("s-4".into()), Some("s-5".into())]
    );
    assert_eq!(
        (receiver.inbox().received(), receiver.inbox().dropped()),
        (5, 2)
    );
    receiver.shutdown().await;
}

#[tokio::test]
async fn a_body_of_exactly_the_bound_is_kept() {
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
        .await
        .unwrap();
    let body = vec![b' '; veriff_conformance::MAX_WEBHOOK_BYTES];
    let status = crate::support::http_client()
        .post(receiver.url())
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let held = receiver.inbox().after(0);
    assert_eq!(held[0].body.len(), veriff_conformance::MAX_WEBHOOK_BYTES);
    assert_eq!(held[0].kind, veriff_conformance::WebhookKind::Unknown);
}

// On a paused clock: the header timeout passes as soon as nothing else is
// left to do, instead of in ten real seconds.
#[tokio::test(start_paused = true)]
async fn the_receiver_closes_a_connection_whose_request_head_never_comes() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
        .await
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(receiver.local_addr())
        .await
        .unwrap();
    // Half a head, then nothing: a slowloris.
    stream
        .write_all(b"POST /x HTTP/1.1\r\nhost: a\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    // Guard only: the receiver closes it after HEADER_TIMEOUT.
    let read = tokio::time::timeout(
        veriff_conformance::HEADER_TIMEOUT * 6,
        stream.read_to_end(&mut rest),
    )
    .await
    .expect("the receiver closed the connection");
    assert_eq!(read.unwrap(), 0, "{}", String::from_utf8_lossy(&rest));
    assert!(receiver.inbox().after(0).is_empty());
}
