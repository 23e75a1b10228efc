//! The embedded suite as a whole: it passes against the embedded mock, the
//! breaking layer of the breakage tests changes nothing when told to break
//! nothing, and mock-only scenarios are ignored against any other server.

use veriff_conformance::Executor;
use veriff_conformance::Masker;
use veriff_conformance::Outcome;
use veriff_conformance::Scenario;
use veriff_conformance::Target;
use veriff_conformance::ignores;
use veriff_conformance::load_embedded;
use veriff_conformance::message;
use veriff_conformance::mock::{MockConfig, MockServer};
use veriff_conformance::trial;
use veriff_conformance::{Inbox, WebhookReceiver};

use crate::support::{Breakage, BrokenMock, posting_webhooks_to, target};

fn embedded() -> Vec<Scenario> {
    let loaded = load_embedded();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(!loaded.scenarios.is_empty());
    loaded.scenarios
}

/// Runs every embedded scenario with `runner` and lists those that did not pass, with their messages.
async fn not_passing(runner: Executor) -> Vec<String> {
    let target = runner.target();
    let masker = Masker::new([&target.api_key, &target.shared_secret]);
    let mut out = Vec::new();
    for scenario in embedded() {
        let result = runner.run(&scenario).await;
        let text = match &result.outcome {
            Outcome::Passed => continue,
            Outcome::Ignored(why) => format!("ignored: {why}"),
            Outcome::Failed(f) => message::failure(&scenario.file, f, &masker),
            Outcome::Errored(e) => message::error(&scenario.file, e, &masker),
        };
        out.push(format!("{}: {text}", scenario.trial_name));
    }
    out
}

#[tokio::test]
async fn the_whole_embedded_suite_passes_against_the_embedded_mock() {
    // With a webhook receiver, as a run against the embedded mock has.
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
        .await
        .expect("receiver");
    let mock = MockServer::start(posting_webhooks_to(&receiver))
        .await
        .expect("mock");
    let runner = Executor::new(target(&mock.base_url(), mock.config(), true))
        .expect("runner")
        .awaiting_webhooks(receiver.inbox().clone(), receiver.url());
    let failed = not_passing(runner).await;
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[tokio::test]
async fn the_whole_embedded_suite_passes_through_the_breaking_layer_when_it_breaks_nothing() {
    // Every failure the breakage tests see is then the breakage's doing.
    let mock = BrokenMock::start(Breakage::Nothing).await;
    let failed = not_passing(mock.runner()).await;
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[tokio::test]
async fn mock_only_scenarios_are_reported_ignored_against_a_server_that_is_not_the_mock() {
    // The mock, with a webhook receiver, as a server that is not the mock.
    let mock = BrokenMock::start(Breakage::Nothing).await;
    let target = Target {
        is_mock: false,
        ..mock.target()
    };
    let runner = mock.runner_with(target.clone());
    let scenarios = embedded();
    let mock_only: Vec<&str> = scenarios
        .iter()
        .filter(|s| s.requires_mock())
        .map(|s| s.trial_name.as_str())
        .collect();
    assert_eq!(
        mock_only,
        [
            "attempts::attempts_are_listed_newest_first",
            "authentication_matrix::a_delete_with_an_api_key_that_is_not_ours_is_refused",
            "authentication_matrix::a_delete_without_x_hmac_signature_is_refused",
            "authentication_matrix::a_delete_signed_over_another_id_is_refused",
            "create::enduserid_is_echoed_in_the_decision",
            "decision::an_approved_session_has_the_documented_decision",
            "decision::a_declined_session_has_code_9102",
            "decision::a_resubmission_request_has_code_9103",
            "delete::a_delete_without_x_auth_client_is_refused",
            "delete::deleting_an_unknown_session_is_not_found",
            "media::media_upload_to_a_started_session_is_accepted",
            "media_lists::session_media_lists_only_the_most_recent_attempt",
            "server_error::an_unexpected_error_has_the_documented_body",
            "submit::valid_submit_of_a_started_session",
            "webhooks::opening_a_session_sends_a_started_event",
            "webhooks::an_approved_session_sends_an_approved_decision_webhook",
            "webhooks::a_declined_session_sends_a_declined_decision_webhook",
            "webhooks::a_resubmission_request_sends_its_decision_webhook",
            "webhooks::a_decision_webhook_has_the_body_of_the_decision_endpoint",
        ]
    );
    for scenario in &scenarios {
        let why = ignores(&target, true, scenario);
        let flagged = trial(
            scenario.trial_name.clone(),
            why.as_deref(),
            Box::new(|| Err("not run".into())),
            Masker::default(),
        )
        .has_ignored_flag();
        if scenario.requires_mock() {
            let why = why.unwrap_or_else(|| panic!("{} is not ignored", scenario.trial_name));
            assert!(why.contains("requires: [mock]"), "{why}");
            assert!(
                flagged,
                "{} is not flagged ignored for libtest",
                scenario.trial_name
            );
        } else if scenario.required_features().next().is_some() {
            // Opt-in API features are off: ignored with the flag that runs them.
            let why = why.unwrap_or_else(|| panic!("{} is not ignored", scenario.trial_name));
            assert!(why.contains("--feature"), "{why}");
            assert!(
                flagged,
                "{} is not flagged ignored for libtest",
                scenario.trial_name
            );
        } else {
            assert_eq!(why, None, "{}", scenario.trial_name);
            let result = runner.run(scenario).await;
            assert!(
                matches!(result.outcome, Outcome::Passed),
                "{}: {:?}",
                scenario.trial_name,
                result.outcome
            );
            assert!(!flagged, "{} is flagged ignored", scenario.trial_name);
        }
    }
}

#[tokio::test]
async fn a_runner_told_not_to_keep_passed_steps_drops_the_plain_ones_and_masks_what_it_keeps() {
    let mock = MockServer::start(MockConfig::generated())
        .await
        .expect("mock");
    let scenarios = embedded();
    let scenario = scenarios
        .iter()
        .find(|s| s.steps.len() >= 3 && !s.requires_mock())
        .expect("a scenario of several steps");
    let target = target(&mock.base_url(), mock.config(), true);
    let key = target.api_key.clone();
    let keeping = Executor::new(target.clone()).expect("runner");
    let dropping = Executor::new(target)
        .expect("runner")
        .keeping_passed_steps(false);

    let all = keeping.run(scenario).await;
    assert!(matches!(all.outcome, Outcome::Passed), "{:?}", all.outcome);
    assert_eq!(all.steps.len(), scenario.steps.len());
    for step in &all.steps {
        // Every request carries the API key: masked in what the result keeps.
        let headers = &step.exchange.request.headers;
        assert!(
            headers.iter().all(|(_, v)| !v.contains(&key)),
            "{headers:?}"
        );
        assert!(headers.iter().any(|(_, v)| v == "***"), "{headers:?}");
    }
    let some = dropping.run(scenario).await;
    assert!(
        matches!(some.outcome, Outcome::Passed),
        "{:?}",
        some.outcome
    );
    assert!(
        some.steps
            .iter()
            .all(|s| !s.warnings.is_empty() || !s.attempts.is_plain()),
        "only steps with something to show are kept"
    );
    assert!(some.steps.len() < all.steps.len());
}
