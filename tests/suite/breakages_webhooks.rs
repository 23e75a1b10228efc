//! The suite's webhook scenarios (`webhooks.yaml`), each run against the
//! embedded mock with one promise of its webhooks broken ([`Breakage`]): it
//! fails, and its message says what broke. One test per scenario at least, in
//! spec file order; the guard in `breakages.rs` checks that none is missing.

use veriff_conformance::CheckKind::{Body, Header, Schema, Signature};

use crate::support::{Breakage, failure_of, warnings_of};

#[tokio::test]
async fn submitted_event_scenario_fails_when_no_submitted_event_is_sent() {
    failure_of(
        "webhooks::a_submit_sends_a_submitted_event",
        Breakage::SubmittedEventNotSent,
    )
    .await
    .in_step(3, "the submitted event arrives")
    .count(1)
    .shows("no webhook arrived");
}

#[tokio::test]
async fn started_event_scenario_fails_when_its_code_is_not_7001() {
    failure_of(
        "webhooks::opening_a_session_sends_a_started_event",
        Breakage::StartedEventCodeChanged,
    )
    .await
    .in_step(3, "the started event arrives")
    .says(Body, "$.code", "7001", "7003")
    .says(Schema, "$.code", "7001", "7003");
}

#[tokio::test]
async fn approved_decision_webhook_scenario_fails_when_the_webhook_is_unsigned() {
    failure_of(
        "webhooks::an_approved_session_sends_an_approved_decision_webhook",
        Breakage::DecisionWebhookUnsigned,
    )
    .await
    .in_step(3, "the decision arrives")
    .count(1)
    .says(
        Signature,
        "x-hmac-signature",
        "",
        "no x-hmac-signature header",
    );
}

#[tokio::test]
async fn declined_decision_webhook_scenario_fails_when_signed_with_another_secret() {
    failure_of(
        "webhooks::a_declined_session_sends_a_declined_decision_webhook",
        Breakage::DecisionWebhookSignedWithAnotherSecret,
    )
    .await
    .in_step(3, "the decision arrives")
    .count(1)
    .says(Signature, "x-hmac-signature", "", "does not verify");
}

#[tokio::test]
async fn resubmission_decision_webhook_scenario_fails_when_decision_webhooks_are_unsigned() {
    failure_of(
        "webhooks::a_resubmission_request_sends_its_decision_webhook",
        Breakage::DecisionWebhookUnsigned,
    )
    .await
    .in_step(3, "the decision arrives")
    .says(
        Signature,
        "x-hmac-signature",
        "HMAC-SHA256",
        "no x-hmac-signature header",
    );
}

#[tokio::test]
async fn resubmission_decision_webhook_scenario_warns_of_another_integrations_key() {
    // Only Veriff's older docs say what a webhook's X-AUTH-CLIENT carries.
    warnings_of(
        "webhooks::a_resubmission_request_sends_its_decision_webhook",
        Breakage::DecisionWebhookWithAnotherKey,
    )
    .await
    .count(1)
    .warns(
        Header,
        "x-auth-client",
        "\"00000000-0000-4000-8000-000000000000\", another key than the run's",
    );
}

#[tokio::test]
async fn decision_webhook_likeness_scenario_fails_when_decision_webhooks_are_signed_with_another_secret()
 {
    failure_of(
        "webhooks::a_decision_webhook_has_the_body_of_the_decision_endpoint",
        Breakage::DecisionWebhookSignedWithAnotherSecret,
    )
    .await
    .in_step(3, "the decision arrives")
    .says(
        Signature,
        "x-hmac-signature",
        "HMAC-SHA256",
        "which does not verify",
    );
}

#[tokio::test]
async fn decision_webhook_likeness_scenario_warns_when_the_webhook_has_a_field_the_endpoint_lacks()
{
    // Only older docs and third parties say the two bodies are the same.
    warnings_of(
        "webhooks::a_decision_webhook_has_the_body_of_the_decision_endpoint",
        Breakage::DecisionWebhookDiffersFromTheEndpoint,
    )
    .await
    .count(1)
    .warns(Body, "$.verification", "onlyInTheWebhook");
}
