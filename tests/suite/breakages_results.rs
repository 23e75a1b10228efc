//! The suite's scenarios for session results and deletion (`decision.yaml`,
//! `delete.yaml`, `person.yaml`, `watchlist.yaml`) and the whole flow
//! (`flow.yaml`), each run against the embedded mock with the one promise it
//! checks broken ([`Breakage`]): it fails, and its message says what broke.
//! One test per scenario at least, in spec file order; the guard in
//! `breakages.rs` checks that none is missing.

use veriff_conformance::CheckKind::{Body, Header, Schema, Status};
use veriff_conformance::Outcome;

use crate::support::{Breakage, BrokenMock, failure_of, run, scenario};

// decision.yaml

#[tokio::test]
async fn null_decision_scenario_fails_when_an_undecided_session_has_a_decision_object() {
    failure_of(
        "decision::no_decision_yet_is_a_null_verification",
        Breakage::UndecidedDecisionIsNotNull,
    )
    .await
    .in_step(2, "read the decision of the created session")
    .says(Body, "$.verification", "null", "{}")
    .says(
        Schema,
        "$.verification",
        "\"id\" is a required property",
        "{}",
    )
    .nothing_about(Status);
}

#[tokio::test]
async fn approved_decision_scenario_fails_when_the_code_is_a_string() {
    failure_of(
        "decision::an_approved_session_has_the_documented_decision",
        Breakage::DecisionCodeIsAString,
    )
    .await
    .in_step(3, "wait for the decision")
    .says(Body, "$.verification.code", "9001", "\"9001\"")
    .says(
        Schema,
        "$.verification.code",
        "value is not one of 9001, 9102",
        "\"9001\"",
    );
}

#[tokio::test]
async fn approved_decision_scenario_fails_when_the_end_user_id_is_dropped() {
    failure_of(
        "decision::an_approved_session_has_the_documented_decision",
        Breakage::DecisionWithoutEndUserId,
    )
    .await
    .in_step(3, "wait for the decision")
    .count(1)
    .says(Body, "$.verification.endUserId", "\"", "absent");
}

#[tokio::test]
async fn approved_decision_scenario_fails_when_the_attempt_id_is_not_the_decided_attempt() {
    failure_of(
        "decision::an_approved_session_has_the_documented_decision",
        Breakage::DecisionAttemptIsNotTheNewest,
    )
    .await
    .in_step(4, "the decided attempt is the newest attempt")
    .count(1)
    .says(Body, "$.verifications[0].id", "\"", "\"");
}

#[tokio::test]
async fn declined_decision_scenario_fails_when_a_declined_session_has_the_approved_code() {
    failure_of(
        "decision::a_declined_session_has_code_9102",
        Breakage::DeclinedDecisionHasApprovedCode,
    )
    .await
    .in_step(3, "decline it and read the decision")
    .says(Body, "$.verification.code", "9102", "9001")
    .says(Schema, "$.verification.code", "9102", "9001");
}

#[tokio::test]
async fn resubmission_decision_scenario_fails_when_it_has_the_review_code() {
    failure_of(
        "decision::a_resubmission_request_has_code_9103",
        Breakage::ResubmissionDecisionHasReviewCode,
    )
    .await
    .in_step(3, "wait for the decision")
    .says(Body, "$.verification.code", "9103", "9121")
    .says(Schema, "$.verification.code", "9103", "9121");
}

#[tokio::test]
async fn decision_missing_key_scenario_fails_when_a_request_without_x_auth_client_is_served() {
    failure_of(
        "decision::a_decision_request_without_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "read the decision without X-AUTH-CLIENT")
    .says(Status, "", "4xx", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn decision_wrong_signature_scenario_fails_when_id_signatures_are_not_verified() {
    failure_of(
        "decision::a_decision_request_with_a_wrong_signature_is_rejected",
        Breakage::IdSignatureNotVerified,
    )
    .await
    .in_step(2, "read the decision signed with a wrong secret")
    .says(Status, "", "4xx", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn unknown_decision_scenario_fails_when_an_unknown_session_reads_as_undecided() {
    failure_of(
        "decision::the_decision_of_an_unknown_session_is_not_found",
        Breakage::UnknownSessionResultsAreEmpty,
    )
    .await
    .in_step(
        1,
        "read the decision of a session id that was never created",
    )
    .says(Status, "", "404", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

// delete.yaml

#[tokio::test]
async fn deletion_scenario_fails_when_the_body_has_no_session_id() {
    failure_of(
        "delete::a_created_session_is_deleted_and_gone_from_every_endpoint",
        Breakage::DeleteBodyWithoutId,
    )
    .await
    .in_step(5, "delete it")
    .says(Body, "$.verification.id", "\"", "absent")
    .says(
        Schema,
        "$.verification",
        "\"id\" is a required property",
        "",
    )
    .nothing_about(Status);
}

#[tokio::test]
async fn deletion_scenario_fails_when_the_session_is_still_there_after_the_delete() {
    failure_of(
        "delete::a_created_session_is_deleted_and_gone_from_every_endpoint",
        Breakage::DeletedSessionLingers,
    )
    .await
    .in_step(6, "its decision is gone")
    .says(Status, "", "404", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn not_deletable_scenario_fails_when_a_submitted_session_can_be_deleted() {
    failure_of(
        "delete::a_submitted_session_is_not_deletable",
        Breakage::SubmittedSessionDeletable,
    )
    .await
    .in_step(3, "try to delete it")
    .says(Status, "", "400", "200")
    .says(Body, "$.code", "\"1305\"", "absent")
    .says(
        Body,
        "$.message",
        "\"Session is not in a completed status.\"",
        "absent",
    );
}

#[tokio::test]
async fn not_deletable_scenario_fails_when_the_error_status_is_neither_documented_form() {
    // 400 (the DELETE page) and "fail" (the common status codes) are both
    // documented: see alternatives.rs. "error" is neither.
    failure_of(
        "delete::a_submitted_session_is_not_deletable",
        Breakage::NotDeletableStatusUndocumented,
    )
    .await
    .in_step(3, "try to delete it")
    .count(2)
    .says(Body, "$.status", "one of 400 | \"fail\"", "\"error\"")
    .says(Schema, "$.status", "", "\"error\"");
}

#[tokio::test]
async fn wrongly_signed_delete_scenario_fails_when_id_signatures_are_not_verified() {
    failure_of(
        "delete::a_delete_with_a_wrong_signature_is_refused",
        Breakage::IdSignatureNotVerified,
    )
    .await
    .in_step(2, "delete it signed with a wrong secret")
    .says(Status, "", "401", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn keyless_delete_scenario_fails_when_a_request_without_x_auth_client_is_served() {
    failure_of(
        "delete::a_delete_without_x_auth_client_is_refused",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "delete it without X-AUTH-CLIENT")
    .says(Status, "", "401", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn unknown_delete_scenario_fails_when_deleting_an_unknown_session_succeeds() {
    failure_of(
        "delete::deleting_an_unknown_session_is_not_found",
        Breakage::DeletingAnUnknownSessionSucceeds,
    )
    .await
    .in_step(1, "delete a session id that was never created")
    .says(Status, "", "404", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn delete_scenarios_do_not_fail_when_nothing_is_broken_but_rejected_requests() {
    // The not-deletable and refused cases each check that the session is
    // still there afterwards: against the plain mock they pass.
    let mock = BrokenMock::start(Breakage::Nothing).await;
    for name in [
        "delete::a_submitted_session_is_not_deletable",
        "delete::a_delete_with_a_wrong_signature_is_refused",
        "delete::a_delete_without_x_auth_client_is_refused",
    ] {
        let result = run(&scenario(name), mock.target()).await;
        assert!(
            matches!(result.outcome, Outcome::Passed),
            "{name}: {:?}",
            result.outcome
        );
    }
}

// flow.yaml

#[tokio::test]
async fn flow_scenario_fails_when_the_session_media_list_leaves_out_the_back() {
    failure_of(
        "flow::a_session_from_creation_to_decision_and_its_media",
        Breakage::SessionMediaListDropsTheBack,
    )
    .await
    .in_step(9, "list the media of the session")
    .count(1)
    .says(
        Schema,
        "$.images",
        "None of value are valid under the given schema (schema specs/schemas/flow-media-list.json#/properties/images/allOf/1/contains)",
        "\"context\":\"face\"",
    );
}

#[tokio::test]
async fn flow_scenario_fails_when_downloaded_media_are_not_images() {
    failure_of(
        "flow::a_session_from_creation_to_decision_and_its_media",
        Breakage::DownloadedMediaAreNotImages,
    )
    .await
    .in_step(10, "download the first medium")
    .count(1)
    .says(
        Header,
        "content-type",
        "a value matching /^image//",
        "\"application/octet-stream\"",
    );
}

#[tokio::test]
async fn flow_scenario_fails_when_the_decision_code_is_a_string() {
    failure_of(
        "flow::a_session_from_creation_to_decision_and_its_media",
        Breakage::DecisionCodeIsAString,
    )
    .await
    .in_step(6, "read the decision")
    .count(2)
    .says(
        Schema,
        "$.verification.code",
        "value is not one of 9001, 9102",
        "\"9001\"",
    );
}

// person.yaml

#[tokio::test]
async fn person_scenario_fails_when_pep_sanction_matches_are_missing() {
    failure_of(
        "person::person_data_of_a_session",
        Breakage::PersonWithoutPepSanctionMatches,
    )
    .await
    .in_step(2, "read the person")
    .count(1)
    .says(
        Schema,
        "$",
        "person.json#/$ref/anyOf",
        "\"person\":{\"firstName\":\"Mari\"",
    );
}

#[tokio::test]
async fn person_missing_key_scenario_fails_when_a_request_without_x_auth_client_is_served() {
    failure_of(
        "person::a_person_request_without_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "read the person without X-AUTH-CLIENT")
    .says(Status, "", "4xx", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn person_wrong_signature_scenario_fails_when_id_signatures_are_not_verified() {
    failure_of(
        "person::a_person_request_with_a_wrong_signature_is_rejected",
        Breakage::IdSignatureNotVerified,
    )
    .await
    .in_step(2, "read the person signed with a wrong secret")
    .says(Status, "", "4xx", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn unknown_person_scenario_fails_when_an_unknown_session_reads_as_empty() {
    failure_of(
        "person::the_person_of_an_unknown_session_is_not_found",
        Breakage::UnknownSessionResultsAreEmpty,
    )
    .await
    .in_step(1, "read the person of a session id that was never created")
    .says(Status, "", "404", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

// watchlist.yaml

#[tokio::test]
async fn screening_scenario_fails_when_the_session_id_is_dropped() {
    failure_of(
        "watchlist::screening_result_of_a_submitted_session",
        Breakage::WatchlistWithoutSessionId,
    )
    .await
    .in_step(3, "read the screening result")
    .count(2)
    .says(Body, "$.data.sessionId", "\"", "absent")
    .says(Schema, "$.data", "\"sessionId\" is a required property", "");
}

#[tokio::test]
async fn screening_scenario_fails_when_no_match_comes_with_hits() {
    failure_of(
        "watchlist::screening_result_of_a_submitted_session",
        Breakage::WatchlistNoMatchWithHits,
    )
    .await
    .in_step(3, "read the screening result")
    .count(1)
    .says(
        Schema,
        "$.data.hits",
        "value has more than 0 items",
        "Mari Maasikas",
    );
}

#[tokio::test]
async fn screening_missing_key_scenario_fails_when_a_request_without_x_auth_client_is_served() {
    failure_of(
        "watchlist::a_screening_request_without_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "read the screening result without X-AUTH-CLIENT")
    .says(Status, "", "4xx", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn screening_wrong_signature_scenario_fails_when_id_signatures_are_not_verified() {
    failure_of(
        "watchlist::a_screening_request_with_a_wrong_signature_is_rejected",
        Breakage::IdSignatureNotVerified,
    )
    .await
    .in_step(2, "read the screening result signed with a wrong secret")
    .says(Status, "", "4xx", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn unknown_screening_scenario_fails_when_an_unknown_session_reads_as_empty() {
    failure_of(
        "watchlist::the_screening_result_of_an_unknown_session_is_not_found",
        Breakage::UnknownSessionResultsAreEmpty,
    )
    .await
    .in_step(
        1,
        "read the screening result of a session id that was never created",
    )
    .says(Status, "", "404", "200")
    .says(Schema, "$", "\"code\" is a required property", "");
}
