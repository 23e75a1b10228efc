//! Webhook steps in baselines: a webhook is recorded as its step's exchange
//! (`WEBHOOK decision`, its headers and its body, normalised, the API key
//! never written), and a later webhook drifts from it by the same rules as
//! a response.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use veriff_conformance::signing::sign;
use veriff_conformance::{
    Baseline, ChangeKind, DriftClass, Executor, Files, Inbox, Loader, Outcome, Rule, Scenario,
    ScenarioResult, SourceFile, Target, WebhookReceiver, compare_with, snapshot,
};

const API_KEY: &str = "key-5d0c9a3e-1b2f-4c6d-8e7f-a0b1c2d3e4f5";
const SECRET: &str = "secret-9f8e7d6c-5b4a-4392-8a1b-0c9d8e7f6a5b";

fn scenario() -> Scenario {
    let file = SourceFile::new(
        "specs/webhooks.yaml",
        "specs/webhooks.yaml",
        r#"
scenarios:
  - name: the decision arrives
    vars: { id: 0d9c1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f }
    steps:
      - name: approved
        webhook: { type: decision, session: "${id}", within: 10s }
        expect: { body: { verification: { status: approved } } }
"#,
    );
    let (mut scenarios, errors) = Loader::new(Files::Disk).load(&file, "webhooks");
    assert!(errors.is_empty(), "{errors:?}");
    scenarios.remove(0)
}

/// Runs the scenario on a fresh receiver to which `body` was posted, signed.
async fn run_with(scenario: &Scenario, body: &str) -> ScenarioResult {
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
        .await
        .expect("listen");
    let status = crate::support::http_client()
        .post(format!("{}/webhooks/decision", receiver.url()))
        .header("content-type", "application/json")
        .header("x-auth-client", API_KEY)
        .header("x-hmac-signature", sign(SECRET, body.as_bytes()))
        .body(body.to_string())
        .send()
        .await
        .expect("post")
        .status();
    assert_eq!(status, 200);
    let target = Target {
        base_url: "http://127.0.0.1:9".into(),
        api_key: API_KEY.into(),
        shared_secret: SECRET.into(),
        timeout: Duration::from_secs(5),
        is_mock: false,
        allow_insecure_http: false,
        features: Vec::new(),
    };
    let result = Executor::new(target)
        .expect("runner")
        .awaiting_webhooks(receiver.inbox().clone(), receiver.url())
        .run(scenario)
        .await;
    assert!(
        matches!(result.outcome, Outcome::Passed),
        "{:?}",
        result.outcome
    );
    result
}

fn decision(extra: &str) -> String {
    format!(
        r#"{{"status":"success","verification":{{"id":"0d9c1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f","status":"approved","code":9001,"reason":null{extra}}},"technicalData":{{"ip":"127.0.0.1"}}}}"#
    )
}

/// Drift of a webhook `now` from the recorded `before`, as (class, kind, path).
async fn drift(before: &str, now: &str) -> Vec<(DriftClass, ChangeKind, String)> {
    let scenario = scenario();
    let first = run_with(&scenario, before).await;
    let recorded = snapshot(
        &scenario,
        &first.ran(),
        "http://127.0.0.1:9",
        Rule::ALL.len(),
    );
    let baseline = Baseline {
        dir: "baseline".into(),
        scenarios: HashMap::from([(scenario.trial_name.clone(), Arc::new(recorded))]),
        gone: vec![],
    };
    let second = run_with(&scenario, now).await;
    compare_with(&baseline, &scenario, &second.ran(), "http://127.0.0.1:9")
        .changes()
        .map(|(_, c)| (c.class, c.kind, c.path.clone()))
        .collect()
}

#[tokio::test]
async fn a_webhook_is_recorded_as_its_steps_exchange_without_the_api_key() {
    let scenario = scenario();
    let result = run_with(&scenario, &decision("")).await;
    let recorded = snapshot(
        &scenario,
        &result.ran(),
        "http://127.0.0.1:9",
        Rule::ALL.len(),
    );
    let step = &recorded.steps[0];
    assert_eq!(
        (step.method.as_str(), step.path.as_str()),
        ("WEBHOOK", "decision")
    );
    assert_eq!(step.status, 200);
    assert_eq!(step.headers["x-auth-client"], "<api-key>");
    assert_eq!(step.headers["x-hmac-signature"], "<hex>");
    assert_eq!(step.headers["content-type"], "application/json");
    let body = step.body.as_ref().expect("a JSON body");
    assert_eq!(body["verification"]["id"], "${id}");
    let text = serde_json::to_string(&recorded).unwrap();
    assert!(!text.contains(API_KEY) && !text.contains(SECRET), "{text}");
}

#[tokio::test]
async fn the_same_webhook_again_shows_no_drift() {
    assert_eq!(drift(&decision(""), &decision("")).await, []);
}

#[tokio::test]
async fn a_field_added_to_a_webhook_is_compatible_drift() {
    assert_eq!(
        drift(&decision(""), &decision(r#","riskScore":0.1"#)).await,
        [(
            DriftClass::Compatible,
            ChangeKind::FieldAdded,
            "$.verification.riskScore".to_string()
        )]
    );
}

#[tokio::test]
async fn a_field_removed_from_a_webhook_is_breaking_drift() {
    let changes = drift(&decision(r#","reasonCode":null"#), &decision("")).await;
    assert_eq!(
        changes,
        [(
            DriftClass::Breaking,
            ChangeKind::FieldRemoved,
            "$.verification.reasonCode".to_string()
        )]
    );
}
