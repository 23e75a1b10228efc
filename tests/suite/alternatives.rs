//! The whole embedded suite passes against servers that answer each way
//! Veriff's docs allow where the mock answers another ([`Alternative`]),
//! warnings allowed, and each such server really answered its way: a step
//! of a named scenario shows it. A switch from one documented answer to
//! another passes, and a run against a baseline shows it as drift.

use std::collections::HashMap;
use std::sync::Arc;

use veriff_conformance::Masker;
use veriff_conformance::Outcome;
use veriff_conformance::Response;
use veriff_conformance::ScenarioResult;
use veriff_conformance::load_embedded;
use veriff_conformance::message;
use veriff_conformance::{Baseline, ChangeKind, DriftClass, Rule, compare_with, snapshot};

use crate::support::{Alternative, Breakage, BrokenMock, scenario};

/// Runs the whole embedded suite against a server answering `alternative`:
/// the messages of the scenarios that did not pass, and every result.
async fn run_suite(alternative: Alternative) -> (Vec<String>, Vec<ScenarioResult>) {
    let mock = BrokenMock::answering(alternative).await;
    let runner = mock.runner().keeping_passed_steps(true);
    let masker: Masker = mock.masker();
    let loaded = load_embedded();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let (mut failed, mut results) = (Vec::new(), Vec::new());
    for scenario in &loaded.scenarios {
        let result = runner.run(scenario).await;
        match &result.outcome {
            Outcome::Passed => {}
            Outcome::Ignored(why) => {
                failed.push(format!("{}: ignored: {why}", scenario.trial_name))
            }
            Outcome::Failed(f) => failed.push(format!(
                "{}: {}",
                scenario.trial_name,
                message::failure(&scenario.file, f, &masker)
            )),
            Outcome::Errored(e) => failed.push(format!(
                "{}: {}",
                scenario.trial_name,
                message::error(&scenario.file, e, &masker)
            )),
        }
        results.push(result);
    }
    (failed, results)
}

/// The response of step `number` of `trial` in `results`.
#[track_caller]
fn answer<'a>(results: &'a [ScenarioResult], trial: &str, number: usize) -> &'a Response {
    let result = results
        .iter()
        .find(|r| r.name == trial)
        .unwrap_or_else(|| panic!("no result for {trial}"));
    &result
        .steps
        .iter()
        .find(|s| s.step.number == number)
        .unwrap_or_else(|| panic!("{trial} has no step {number}"))
        .exchange
        .response
}

fn field(response: &Response, pointer: &str) -> serde_json::Value {
    response
        .json
        .as_ref()
        .ok()
        .and_then(|b| b.pointer(pointer).cloned())
        .unwrap_or(serde_json::Value::Null)
}

/// Runs the suite against `alternative`: every scenario passes, and
/// `answered_so` holds of the recorded results.
async fn passes(alternative: Alternative, answered_so: impl FnOnce(&[ScenarioResult])) {
    let (failed, results) = run_suite(alternative).await;
    assert!(
        failed.is_empty(),
        "against {alternative:?}:\n{}",
        failed.join("\n\n")
    );
    answered_so(&results);
}

#[tokio::test]
async fn the_suite_passes_against_a_server_answering_the_credentials_table_codes() {
    passes(Alternative::CredentialsTableCodes, |r| {
        let missing_key = answer(r, "authentication::missing_x_auth_client_is_rejected", 2);
        assert_eq!(field(missing_key, "/code"), "1801");
        let mismatch = answer(
            r,
            "authentication::a_signature_over_other_bytes_is_rejected",
            2,
        );
        assert_eq!(field(mismatch, "/code"), "1819");
        let garbage = answer(r, "authentication::a_garbage_signature_is_rejected", 2);
        assert_eq!(
            field(garbage, "/message"),
            "Signature is not a valid SHA256 hash"
        );
        let unsigned = answer(
            r,
            "authentication::a_missing_signature_header_is_rejected",
            2,
        );
        assert_eq!(field(unsigned, "/code"), "1815");
    })
    .await;
}

#[tokio::test]
async fn the_suite_passes_against_a_server_answering_the_troubleshooting_codes() {
    passes(Alternative::TroubleshootingCodes, |r| {
        let mismatch = answer(
            r,
            "authentication::a_signature_made_with_another_secret_is_rejected",
            2,
        );
        assert_eq!(field(mismatch, "/code"), "1815");
        let no_status = answer(
            r,
            "validation::a_verification_without_status_is_rejected",
            2,
        );
        assert_eq!(field(no_status, "/code"), "1102");
        let not_object = answer(
            r,
            "validation::a_verification_that_is_not_an_object_is_rejected",
            2,
        );
        assert_eq!(field(not_object, "/code"), "1104");
        let empty = answer(r, "validation::an_empty_body_is_rejected", 2);
        assert_eq!(field(empty, "/code"), "1102");
        // The page's own case keeps the page's code.
        let other = answer(r, "validation::another_status_value_is_rejected", 2);
        assert_eq!(field(other, "/code"), "1101");
    })
    .await;
}

#[tokio::test]
async fn the_suite_passes_against_a_server_whose_media_lists_leave_out_empty_arrays() {
    passes(Alternative::ListsLeaveOutEmptyArrays, |r| {
        let list = answer(
            r,
            "media_lists::session_media_lists_the_uploaded_image_with_the_documented_fields",
            3,
        );
        assert_eq!(field(list, "/videos"), serde_json::Value::Null);
        let empty = answer(
            r,
            "media::media_upload_without_x_auth_client_is_rejected",
            3,
        );
        assert_eq!(field(empty, "/images"), serde_json::Value::Null);
        assert_eq!(field(empty, "/status"), "success");
    })
    .await;
}

#[tokio::test]
async fn the_suite_passes_against_a_server_whose_delete_errors_have_a_numeric_status() {
    passes(Alternative::DeleteErrorsWithNumericStatus, |r| {
        let unknown = answer(r, "delete::deleting_an_unknown_session_is_not_found", 1);
        assert_eq!(field(unknown, "/status"), 404);
        let keyless = answer(r, "delete::a_delete_without_x_auth_client_is_refused", 2);
        assert_eq!(field(keyless, "/status"), 401);
    })
    .await;
}

#[tokio::test]
async fn the_suite_passes_against_a_server_whose_delete_errors_have_status_fail() {
    passes(Alternative::DeleteErrorsWithFailStatus, |r| {
        let submitted = answer(r, "delete::a_submitted_session_is_not_deletable", 3);
        assert_eq!(field(submitted, "/status"), "fail");
        assert_eq!(field(submitted, "/code"), "1305");
    })
    .await;
}

#[tokio::test]
async fn the_suite_passes_with_warnings_against_a_server_whose_downloads_have_no_vrf_headers() {
    passes(Alternative::DownloadsWithoutVrfHeaders, |r| {
        let trial = "media_download::a_downloaded_medium_is_the_uploaded_image";
        assert_eq!(answer(r, trial, 4).header("vrf-hmac-signature"), None);
        let result = r.iter().find(|r| r.name == trial).unwrap();
        let warned: Vec<&str> = result.warnings().map(|(_, w)| w.path.as_str()).collect();
        assert_eq!(
            warned,
            [
                "vrf-auth-client",
                "vrf-hmac-signature",
                "vrf-auth-client",
                "vrf-hmac-signature"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn the_suite_passes_with_warnings_against_a_server_whose_create_answer_has_only_documented_fields()
 {
    passes(Alternative::CreateAnswersOnlyDocumentedFields, |r| {
        let trial = "create::create_returns_the_documented_201_body";
        let created = answer(r, trial, 1);
        assert_eq!(field(created, "/status"), "created");
        assert_eq!(
            field(created, "/verification/host"),
            serde_json::Value::Null
        );
        let result = r.iter().find(|r| r.name == trial).unwrap();
        let warned: Vec<&str> = result.warnings().map(|(_, w)| w.path.as_str()).collect();
        assert_eq!(
            warned,
            [
                "$.verification.status",
                "$.verification.vendorData",
                "$.verification.url"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn the_suite_passes_with_warnings_against_a_server_whose_submit_answers_are_unsigned() {
    passes(Alternative::SubmitAnswersUnsigned, |r| {
        let trial = "submit::valid_submit_of_a_created_session";
        assert_eq!(answer(r, trial, 2).header("x-hmac-signature"), None);
        let result = r.iter().find(|r| r.name == trial).unwrap();
        assert_eq!(result.warnings().count(), 2);
    })
    .await;
}

#[test]
fn every_alternative_has_its_test() {
    let source = include_str!("alternatives.rs");
    for alternative in Alternative::ALL {
        assert!(
            source.contains(&format!("passes(Alternative::{alternative:?}")),
            "{alternative:?} has no test here"
        );
    }
}

#[tokio::test]
async fn a_switch_to_another_documented_answer_passes_but_shows_as_breaking_drift() {
    let trial = "authentication::missing_x_auth_client_is_rejected";
    let scenario = scenario(trial);
    let before = BrokenMock::start(Breakage::Nothing).await;
    let first = before.run(&scenario).await;
    assert!(
        matches!(first.outcome, Outcome::Passed),
        "{:?}",
        first.outcome
    );
    let recorded = snapshot(
        &scenario,
        &first.ran(),
        &before.target().base_url,
        Rule::ALL.len(),
    );
    let baseline = Baseline {
        dir: "baseline".into(),
        scenarios: HashMap::from([(trial.to_string(), Arc::new(recorded))]),
        gone: vec![],
    };
    let after = BrokenMock::answering(Alternative::CredentialsTableCodes).await;
    let now = after.run(&scenario).await;
    assert!(matches!(now.outcome, Outcome::Passed), "{:?}", now.outcome);
    let drift = compare_with(&baseline, &scenario, &now.ran(), &after.target().base_url);
    let code = drift
        .steps
        .iter()
        .flat_map(|s| s.changes.iter())
        .find(|c| c.path == "$.code")
        .expect("the code's change is drift");
    assert_eq!(
        (
            code.class,
            code.kind,
            code.before.as_str(),
            code.after.as_str()
        ),
        (
            DriftClass::Breaking,
            ChangeKind::ValueChanged,
            "\"1101\"",
            "\"1801\""
        )
    );
}
