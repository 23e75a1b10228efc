//! Each way of changing the API that drift must catch ([`Change`]), made to the embedded mock
//! one at a time after a good run, shows as drift of the right class, kind
//! and place, and only breaking drift fails the scenario. The scenario used
//! ([`SCENARIO`]) passes its own expectations under every
//! change: before drift, each of these passed silently.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use veriff_conformance::Baseline;
use veriff_conformance::Executor;
use veriff_conformance::Rule;
use veriff_conformance::Scenario;
use veriff_conformance::Target;
use veriff_conformance::load_embedded;
use veriff_conformance::mock::MockServer;
use veriff_conformance::{ChangeKind, DriftClass, ScenarioDrift};
use veriff_conformance::{Outcome, ScenarioResult};
use veriff_conformance::{compare_with, snapshot};

use crate::support::{Change, SCENARIO, mock};

fn scenario(name: &str) -> Scenario {
    load_embedded()
        .scenarios
        .into_iter()
        .find(|s| s.trial_name == name)
        .expect("the embedded scenario")
}

async fn run_on(server: &MockServer, scenario: &Scenario) -> ScenarioResult {
    let target = Target {
        base_url: server.base_url(),
        api_key: server.config().api_key.clone(),
        shared_secret: server.config().shared_secret.clone(),
        timeout: Duration::from_secs(10),
        is_mock: true,
        allow_insecure_http: false,
        features: Vec::new(),
    };
    Executor::new(target).expect("runner").run(scenario).await
}

/// Records `SCENARIO` against the plain mock, then runs it against a mock
/// changed by `change` (another port, other credentials) and compares; the
/// result is gated as a run without `--deny-drift` gates it.
async fn drift_after(change: Change) -> (ScenarioResult, ScenarioDrift) {
    let scenario = scenario(SCENARIO);
    let good = mock(Change::Nothing).await;
    let first = run_on(&good, &scenario).await;
    assert!(
        matches!(first.outcome, Outcome::Passed),
        "{:?}",
        first.outcome
    );
    let recorded = snapshot(&scenario, &first.ran(), &good.base_url(), Rule::ALL.len());
    let baseline = Baseline {
        dir: "baseline".into(),
        scenarios: HashMap::from([(SCENARIO.to_string(), Arc::new(recorded))]),
        gone: vec![],
    };
    let changed = mock(change).await;
    let mut now = run_on(&changed, &scenario).await;
    assert!(
        matches!(now.outcome, Outcome::Passed),
        "{change:?} should pass the scenario's own expectations: {:?}",
        now.outcome
    );
    let drift = compare_with(&baseline, &scenario, &now.ran(), &changed.base_url());
    now.drift = Some(drift.clone());
    now.apply_drift_gate(false);
    (now, drift)
}

/// Every change as (step, class, kind, path, before, after).
fn changes(drift: &ScenarioDrift) -> Vec<(usize, DriftClass, ChangeKind, String, String, String)> {
    drift
        .changes()
        .map(|(s, c)| {
            (
                s.step.number,
                c.class,
                c.kind,
                c.path.clone(),
                c.before.clone(),
                c.after.clone(),
            )
        })
        .collect()
}

fn one(
    step: usize,
    class: DriftClass,
    kind: ChangeKind,
    path: &str,
    before: &str,
    after: &str,
) -> Vec<(usize, DriftClass, ChangeKind, String, String, String)> {
    vec![(step, class, kind, path.into(), before.into(), after.into())]
}

#[track_caller]
fn assert_passes(result: &ScenarioResult) {
    assert!(
        matches!(result.outcome, Outcome::Passed),
        "{:?}",
        result.outcome
    );
}

/// The failure drift made of the scenario: its step and mismatches as
/// (path, baseline, actual).
#[track_caller]
fn drift_failure(result: &ScenarioResult) -> (usize, Vec<(String, String, String)>) {
    let Outcome::Failed(f) = &result.outcome else {
        panic!(
            "breaking drift should fail the scenario: {:?}",
            result.outcome
        );
    };
    let found = f
        .mismatches
        .iter()
        .map(|m| {
            assert_eq!(m.check.name(), "drift");
            assert_eq!(m.at, f.step.at, "the mismatch points at the step");
            (m.path.clone(), m.expected.clone(), m.actual.clone())
        })
        .collect();
    (f.step.number, found)
}

#[tokio::test]
async fn the_same_server_again_shows_no_drift_although_every_id_and_port_differs() {
    let (result, drift) = drift_after(Change::Nothing).await;
    assert!(!drift.new);
    assert_eq!(changes(&drift), []);
    assert_passes(&result);
}

#[tokio::test]
async fn a_new_response_field_is_compatible_drift_and_the_scenario_still_passes() {
    let (result, drift) = drift_after(Change::AddedField).await;
    assert_eq!(
        changes(&drift),
        one(
            1,
            DriftClass::Compatible,
            ChangeKind::FieldAdded,
            "$.verification.newField",
            "absent",
            "\"new\""
        )
    );
    assert_passes(&result);
}

#[tokio::test]
async fn a_new_response_header_is_compatible_drift() {
    let (result, drift) = drift_after(Change::AddedHeader).await;
    assert_eq!(
        changes(&drift),
        one(
            1,
            DriftClass::Compatible,
            ChangeKind::HeaderAdded,
            "x-new-header",
            "absent",
            "1"
        )
    );
    assert_passes(&result);
}

#[tokio::test]
async fn a_new_header_shows_the_value_the_run_saw_normalised_and_masked() {
    let (result, drift) = drift_after(Change::AddedHeadersWithValues).await;
    let mut seen: Vec<(String, String)> = drift
        .changes()
        .map(|(_, c)| {
            assert_eq!(c.kind, ChangeKind::HeaderAdded, "{c:?}");
            (c.path.clone(), c.after.clone())
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("x-echo-key".to_string(), "***".to_string()),
            ("x-request-id".to_string(), "<uuid>".to_string())
        ]
    );
    assert_passes(&result);
}

#[tokio::test]
async fn a_field_that_disappeared_is_breaking_and_fails_the_scenario() {
    let (result, drift) = drift_after(Change::RemovedField).await;
    assert_eq!(
        changes(&drift),
        one(
            1,
            DriftClass::Breaking,
            ChangeKind::FieldRemoved,
            "$.verification.host",
            "\"${run.base_url}\"",
            "absent"
        )
    );
    assert_eq!(
        drift_failure(&result),
        (
            1,
            vec![(
                "$.verification.host (breaking, field removed)".into(),
                "\"${run.base_url}\"".into(),
                "absent".into()
            )]
        )
    );
}

#[tokio::test]
async fn a_value_of_another_json_type_is_breaking() {
    let (result, drift) = drift_after(Change::ChangedType).await;
    assert_eq!(
        changes(&drift),
        one(
            1,
            DriftClass::Breaking,
            ChangeKind::TypeChanged,
            "$.verification.sessionToken",
            "\"<hex>\"",
            "12345678"
        )
    );
    assert_eq!(drift_failure(&result).0, 1);
}

#[tokio::test]
async fn a_wrong_api_key_answered_403_instead_of_401_is_breaking() {
    let (result, drift) = drift_after(Change::ChangedStatus).await;
    assert_eq!(
        changes(&drift),
        one(
            2,
            DriftClass::Breaking,
            ChangeKind::StatusChanged,
            "status",
            "401",
            "403"
        )
    );
    let (step, mismatches) = drift_failure(&result);
    assert_eq!(step, 2);
    assert_eq!(
        mismatches,
        [(
            "status (breaking, status changed)".into(),
            "401".into(),
            "403".into()
        )]
    );
}

#[tokio::test]
async fn an_error_code_that_changed_is_breaking() {
    let (result, drift) = drift_after(Change::ChangedCode).await;
    assert_eq!(
        changes(&drift),
        one(
            2,
            DriftClass::Breaking,
            ChangeKind::ValueChanged,
            "$.code",
            "\"1803\"",
            "\"1818\""
        )
    );
    assert_eq!(drift_failure(&result).0, 2);
}

#[tokio::test]
async fn a_reworded_error_message_is_compatible_since_messages_are_opaque() {
    let (result, drift) = drift_after(Change::RewordedMessage).await;
    assert_eq!(
        changes(&drift),
        one(
            2,
            DriftClass::Compatible,
            ChangeKind::OpaqueChanged,
            "$.message",
            "\"Integration not found\"",
            "\"Unknown integration\""
        )
    );
    assert_passes(&result);
}

#[tokio::test]
async fn an_uppercase_response_signature_is_a_warning_not_a_failure_nor_drift() {
    let (result, drift) = drift_after(Change::UppercaseSignature).await;
    assert_eq!(changes(&drift), []);
    assert_passes(&result);
    let warnings: Vec<_> = result.warnings().collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].0.number, 1);
    assert_eq!(warnings[0].1.path, "x-hmac-signature");
    assert!(
        warnings[0]
            .1
            .actual
            .ends_with("which verifies but is not lowercase hex")
    );
}

#[tokio::test]
async fn deny_drift_fails_a_scenario_with_compatible_drift_or_a_warning() {
    for change in [Change::AddedField, Change::UppercaseSignature] {
        let (mut result, _) = drift_after(change).await;
        assert_passes(&result);
        result.apply_drift_gate(true);
        let Outcome::Failed(f) = &result.outcome else {
            panic!("{change:?} should fail under --deny-drift");
        };
        assert_eq!(f.step.number, 1);
        assert_eq!(f.mismatches.len(), 1, "{:?}", f.mismatches);
    }
}

#[tokio::test]
async fn a_scenario_without_a_baseline_file_is_new_and_fails_only_under_deny_drift() {
    let scenario = scenario(SCENARIO);
    let server = mock(Change::Nothing).await;
    let mut result = run_on(&server, &scenario).await;
    let drift = compare_with(
        &Baseline::default(),
        &scenario,
        &result.ran(),
        &server.base_url(),
    );
    assert!(drift.new);
    assert_eq!(changes(&drift), []);
    result.drift = Some(drift);
    result.apply_drift_gate(false);
    assert_passes(&result);
    result.apply_drift_gate(true);
    let Outcome::Failed(f) = &result.outcome else {
        panic!("a new scenario should fail under --deny-drift");
    };
    assert_eq!(f.step.number, 1);
    assert_eq!(f.mismatches.len(), 1, "{:?}", f.mismatches);
    assert!(
        f.mismatches[0]
            .expected
            .contains("no baseline for this scenario"),
        "{:?}",
        f.mismatches
    );
}
