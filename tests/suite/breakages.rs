//! Each embedded scenario, run against the embedded mock with the one promise
//! it checks broken ([`Breakage`]), fails, and its message says what broke:
//! the step, the JSON path, header or status, the expected and the actual value.
//! The first tests are one per scenario, in spec file order (the last test
//! checks that none is missing); the rest break further promises of the valid
//! submit, the double submit and the authentication scenarios' follow-up
//! submit, one at a time.

use veriff_conformance::CheckKind::{Body, Group, Header, Schema, Signature, Status};
use veriff_conformance::Outcome;
use veriff_conformance::load_embedded;

use crate::support::{Breakage, BrokenMock, failure_of, run, scenario, warnings_of};

// authentication.yaml

#[tokio::test]
async fn missing_api_key_scenario_fails_when_a_request_without_x_auth_client_is_served() {
    failure_of(
        "authentication::missing_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "submit without X-AUTH-CLIENT")
    .says(Status, "", "401", "200")
    .says(Body, "$.status", "\"fail\"", "\"success\"")
    .says(Body, "$.code", "one of \"1101\" | \"1801\"", "absent")
    .says(
        Body,
        "$.message",
        "a string matching /^Mandatory X-AUTH-CLIENT header containing the API key is missing from the request\\.?$/",
        "absent",
    );
}

#[tokio::test]
async fn missing_api_key_scenario_fails_when_the_refusal_is_a_403() {
    failure_of(
        "authentication::missing_x_auth_client_is_rejected",
        Breakage::MissingApiKeyIs403,
    )
    .await
    .in_step(2, "submit without X-AUTH-CLIENT")
    .count(1)
    .says(Status, "", "401", "403");
}

#[tokio::test]
async fn missing_api_key_scenario_fails_when_the_code_is_one_neither_page_gives() {
    failure_of(
        "authentication::missing_x_auth_client_is_rejected",
        Breakage::MissingApiKeyGetsAnUnrelatedCode,
    )
    .await
    .in_step(2, "submit without X-AUTH-CLIENT")
    .count(1)
    .says(Body, "$.code", "one of \"1101\" | \"1801\"", "\"1803\"");
}

#[tokio::test]
async fn signature_mismatch_scenarios_fail_when_the_code_is_1101() {
    for trial in [
        "authentication::a_signature_over_other_bytes_is_rejected",
        "authentication::a_signature_made_with_another_secret_is_rejected",
    ] {
        failure_of(trial, Breakage::SignatureMismatchIs1101)
            .await
            .count(1)
            .says(
                Body,
                "$",
                "one of {\"status\":\"fail\",\"code\":\"1812\",\"message\":\"Invalid HMAC signature\"}",
                "\"code\":\"1101\"",
            );
    }
}

#[tokio::test]
async fn wrong_api_key_scenario_fails_when_any_api_key_is_accepted() {
    failure_of(
        "authentication::a_wrong_api_key_is_rejected",
        Breakage::AnyApiKeyAccepted,
    )
    .await
    .in_step(2, "submit with an API key that is not ours")
    .says(Status, "", "4xx", "200")
    .says(Schema, "$.status", "fail", "\"success\"")
    .says(Schema, "$", "\"code\" is a required property", "");
}

#[tokio::test]
async fn signature_over_other_bytes_scenario_fails_when_signatures_are_not_verified() {
    failure_of(
        "authentication::a_signature_over_other_bytes_is_rejected",
        Breakage::SignatureNotVerified,
    )
    .await
    .in_step(2, "submit signed over a different body")
    .says(Status, "", "401", "200")
    .says(
        Body,
        "$",
        "one of {\"status\":\"fail\",\"code\":\"1812\",\"message\":\"Invalid HMAC signature\"} | {\"status\":\"fail\",\"code\":\"1819\"} | {\"status\":\"fail\",\"code\":\"1815\"}",
        "{\"status\":\"success\"",
    );
}

#[tokio::test]
async fn wrong_secret_scenario_fails_when_a_signature_made_with_another_secret_is_accepted() {
    failure_of(
        "authentication::a_signature_made_with_another_secret_is_rejected",
        Breakage::OtherSecretSignatureAccepted,
    )
    .await
    .in_step(2, "submit signed with a wrong secret")
    .says(Status, "", "401", "200")
    .says(
        Body,
        "$",
        "one of {\"status\":\"fail\",\"code\":\"1812\"",
        "\"success\"",
    );

    // The breakage is about the secret only: signatures that are not an
    // HMAC-SHA256 at all are still refused.
    let mock = BrokenMock::start(Breakage::OtherSecretSignatureAccepted).await;
    for name in [
        "authentication::a_garbage_signature_is_rejected",
        "authentication::a_missing_signature_header_is_rejected",
    ] {
        let result = run(&scenario(name), mock.target()).await;
        assert!(
            matches!(result.outcome, Outcome::Passed),
            "{name}: {:?}",
            result.outcome
        );
    }
}

#[tokio::test]
async fn garbage_signature_scenario_fails_when_a_non_hex_signature_crashes_the_server() {
    failure_of(
        "authentication::a_garbage_signature_is_rejected",
        Breakage::NonHexSignatureCrashes,
    )
    .await
    .in_step(2, "submit with a signature that is not a hash")
    .says(Status, "", "401", "500")
    .says(Body, "$.code", "one of \"1812\" | \"1815\"", "\"1101\"")
    .nothing_about(Schema);
}

#[tokio::test]
async fn missing_signature_scenario_fails_when_an_unsigned_submit_is_accepted() {
    failure_of(
        "authentication::a_missing_signature_header_is_rejected",
        Breakage::MissingSignatureAccepted,
    )
    .await
    .in_step(2, "submit without X-HMAC-SIGNATURE")
    .says(Status, "", "401", "200")
    .says(Body, "$.status", "\"fail\"", "\"success\"");
}

// media.yaml

#[tokio::test]
async fn media_after_submit_scenario_fails_when_the_upload_is_accepted() {
    failure_of(
        "media::media_upload_after_submit_is_a_conflict",
        Breakage::MediaAfterSubmitAccepted,
    )
    .await
    .in_step(3, "upload a document image after the submit")
    .says(Status, "", "409", "201")
    .says(Schema, "$.status", "fail", "\"success\"")
    .nothing_about(Signature);
}

// not_found.yaml

#[tokio::test]
async fn not_found_scenario_fails_when_the_error_code_is_a_number() {
    failure_of(
        "not_found::unknown_session_id_is_not_found",
        Breakage::NotFoundCodeIsANumber,
    )
    .await
    .in_step(1, "submit a session id that was never created")
    .says(Schema, "$.code", "string", "1101")
    .says(Body, "$.code", "\"1101\"", "1101")
    .nothing_about(Status);
}

// server_error.yaml

#[tokio::test]
async fn server_error_scenario_fails_when_the_500_is_plain_text() {
    failure_of(
        "server_error::an_unexpected_error_has_the_documented_body",
        Breakage::ServerErrorIsPlainText,
    )
    .await
    .in_step(2, "submit while the server fails")
    .count(2)
    .says(Body, "$", "a JSON body", "the body is not JSON")
    .says(
        Schema,
        "$",
        "a JSON body valid against",
        "the body is not JSON",
    )
    .shows("response: 500 Internal Server Error")
    .nothing_about(Status);
}

// submit.yaml

#[tokio::test]
async fn valid_submit_scenario_fails_when_vendor_data_comes_back_modified() {
    let reported = failure_of(
        "submit::valid_submit_of_a_created_session",
        Breakage::VendorDataTruncated,
    )
    .await;
    reported.in_step(2, "submit it").count(1).says(
        Body,
        "$.verification.vendorData",
        "\"vc-",
        "\"vc-",
    );
    let m = &reported.failure.mismatches[0];
    assert_eq!(m.actual.len(), "\"vc-12345\"".len(), "{}", reported.text);
    assert!(m.expected.starts_with(m.actual.trim_end_matches('"')));
}

#[tokio::test]
async fn null_vendor_data_scenario_fails_when_vendor_data_is_dropped() {
    failure_of(
        "submit::session_created_without_vendordata_returns_null_vendordata",
        Breakage::VendorDataDropped,
    )
    .await
    .in_step(2, "submit it")
    .says(Body, "$.verification.vendorData", "null", "absent")
    .says(
        Schema,
        "$.verification",
        "\"vendorData\" is a required property",
        "",
    );
}

#[tokio::test]
async fn started_session_scenario_fails_when_a_started_session_is_rejected() {
    failure_of(
        "submit::valid_submit_of_a_started_session",
        Breakage::StartedSessionRejected,
    )
    .await
    .in_step(3, "submit the started session")
    .says(Status, "", "200", "400")
    .says(Body, "$.verification", "an object", "absent")
    .nothing_about(Signature);
}

#[tokio::test]
async fn double_submit_scenario_fails_when_the_second_submit_succeeds() {
    failure_of(
        "submit::double_submit_is_rejected",
        Breakage::SecondSubmitSucceeds,
    )
    .await
    .in_step(3, "submit it again")
    .says(Status, "", "400", "200")
    .says(Body, "$.status", "\"fail\"", "\"success\"")
    .says(
        Body,
        "$.message",
        "\"Session has already been submitted\"",
        "absent",
    );
}

#[tokio::test]
async fn race_scenario_fails_when_concurrent_submits_all_succeed() {
    let reported = failure_of(
        "submit::concurrent_submits_let_exactly_one_through",
        Breakage::ConcurrentSubmitsAllSucceed,
    )
    .await;
    reported
        .in_step(2, "submit it 5 times at once")
        .count(2)
        .says(
            Group,
            "status 200",
            "exactly 1 answer",
            "5 answers (#1, #2, #3, #4, #5)",
        )
        .says(Group, "status 400", "the rest: 4 answers", "none")
        .shows("response: 200 ")
        .nothing_about(Body);
    // The same server still refuses a submit that comes after the first.
    let mock = BrokenMock::start(Breakage::ConcurrentSubmitsAllSucceed).await;
    let result = run(
        &scenario("submit::double_submit_is_rejected"),
        mock.target(),
    )
    .await;
    assert!(
        matches!(result.outcome, Outcome::Passed),
        "{:?}",
        result.outcome
    );
}

#[tokio::test]
async fn race_scenario_fails_when_the_losers_get_another_message() {
    let reported = failure_of(
        "submit::concurrent_submits_let_exactly_one_through",
        Breakage::AlreadySubmittedMessageChanged,
    )
    .await;
    reported.in_step(2, "submit it 5 times at once").count(4);
    // Each of the 4 rejected answers, by its place in the group.
    let mut places: Vec<&str> = Vec::new();
    for m in &reported.failure.mismatches {
        assert_eq!(m.check, Body, "{}", reported.text);
        assert_eq!(m.expected, "\"Session has already been submitted\"");
        assert_eq!(m.actual, "\"Session status cannot be changed\"");
        let (place, path) = m.path.split_once(' ').expect("`#n $.message`");
        assert_eq!(path, "$.message");
        places.push(place);
        assert!(
            reported.text.contains(&format!("body {place} $.message")),
            "{}",
            reported.text
        );
    }
    places.sort();
    places.dedup();
    assert_eq!(places.len(), 4, "{places:?}");
}

// validation.yaml

#[tokio::test]
async fn other_status_scenario_fails_when_any_status_value_submits_the_session() {
    failure_of(
        "validation::another_status_value_is_rejected",
        Breakage::AnyStatusValueSubmits,
    )
    .await
    .in_step(2, "try to set status approved")
    .says(Status, "", "400", "200")
    .says(Body, "$.message", "\"Validation failed\"", "absent");
}

#[tokio::test]
async fn missing_status_scenario_fails_when_it_is_answered_with_a_code_no_table_gives_it() {
    // 1102 (mandatory parameters missing) is a documented answer: see
    // alternatives.rs. 1305 (DELETE's) is not.
    failure_of(
        "validation::a_verification_without_status_is_rejected",
        Breakage::MissingStatusGetsAnUnrelatedCode,
    )
    .await
    .in_step(2, "patch with an empty verification object")
    .count(1)
    .says(
        Body,
        "$.code",
        "one of \"1101\" | \"1102\" | \"1104\"",
        "\"1305\"",
    );
}

#[tokio::test]
async fn non_object_verification_scenario_fails_when_it_crashes_the_server() {
    failure_of(
        "validation::a_verification_that_is_not_an_object_is_rejected",
        Breakage::NonObjectVerificationCrashes,
    )
    .await
    .in_step(2, "patch with verification as a string")
    .says(Status, "", "400", "500")
    .nothing_about(Body);
}

#[tokio::test]
async fn empty_body_scenario_fails_when_an_empty_body_submits_the_session() {
    // Its code and message may be any the tables give (alternatives.rs).
    failure_of(
        "validation::an_empty_body_is_rejected",
        Breakage::EmptyBodySubmits,
    )
    .await
    .in_step(2, "patch with an empty body, signed")
    .says(Status, "", "400", "200")
    .says(Body, "$.status", "\"fail\"", "\"success\"");
}

// More promises of the valid submit and the double submit, one at a time.

#[tokio::test]
async fn valid_submit_scenario_fails_when_the_url_is_not_built_from_host_and_token() {
    failure_of(
        "submit::valid_submit_of_a_created_session",
        Breakage::UrlNotBuiltFromHostAndToken,
    )
    .await
    .in_step(2, "submit it")
    .count(1)
    .says(
        Body,
        "$.verification.url",
        "a string matching /^http://127\\.0\\.0\\.1:",
        "\"https://magic.example/v/",
    );
}

#[tokio::test]
async fn valid_submit_scenario_fails_when_the_id_is_not_a_uuid_v4() {
    failure_of(
        "submit::valid_submit_of_a_created_session",
        Breakage::IdNotAUuidV4,
    )
    .await
    .in_step(2, "submit it")
    .says(Schema, "$.verification.id", "does not match", "-1")
    .says(Body, "$.verification.id", "-4", "-1");
}

#[tokio::test]
async fn valid_submit_scenario_fails_when_the_response_is_signed_over_other_bytes() {
    failure_of(
        "submit::valid_submit_of_a_created_session",
        Breakage::ResponseSignedOverOtherBytes,
    )
    .await
    .in_step(2, "submit it")
    .count(1)
    .says(
        Signature,
        "x-hmac-signature",
        "the lowercase hex HMAC-SHA256 of the response body bytes under the shared secret",
        "which does not verify over the",
    );
}

#[tokio::test]
async fn valid_submit_scenario_warns_when_the_response_is_unsigned() {
    // The current endpoint page lists no response headers for PATCH.
    warnings_of(
        "submit::valid_submit_of_a_created_session",
        Breakage::ResponseUnsigned,
    )
    .await
    .count(1)
    .warns(
        Signature,
        "x-hmac-signature",
        "no x-hmac-signature header; expected",
    );
}

#[tokio::test]
async fn valid_submit_scenario_fails_when_the_response_is_not_typed_as_json() {
    failure_of(
        "submit::valid_submit_of_a_created_session",
        Breakage::ResponseIsTextPlain,
    )
    .await
    .in_step(2, "submit it")
    .count(1)
    .says(
        Header,
        "content-type",
        "a value matching /^application/json/",
        "\"text/plain; charset=utf-8\"",
    );
}

#[tokio::test]
async fn valid_submit_scenario_warns_when_the_response_has_no_x_auth_client() {
    warnings_of(
        "submit::valid_submit_of_a_created_session",
        Breakage::ResponseWithoutApiKeyHeader,
    )
    .await
    .count(1)
    .warns(Header, "x-auth-client", "absent; expected present");
}

#[tokio::test]
async fn double_submit_scenario_fails_when_the_rejection_message_differs() {
    failure_of(
        "submit::double_submit_is_rejected",
        Breakage::AlreadySubmittedMessageChanged,
    )
    .await
    .in_step(3, "submit it again")
    .count(1)
    .says(
        Body,
        "$.message",
        "\"Session has already been submitted\"",
        "\"Session status cannot be changed\"",
    );
}

#[tokio::test]
async fn authentication_scenarios_fail_when_a_rejected_submit_still_submits_the_session() {
    // The rejection itself is the mock's documented 401, so the failure shows
    // only in the last step: the rejected request changed the session.
    let scenarios: Vec<String> = load_embedded()
        .scenarios
        .into_iter()
        .map(|s| s.trial_name)
        .filter(|name| name.starts_with("authentication::"))
        .collect();
    assert_eq!(scenarios.len(), 6, "{scenarios:?}");
    for name in &scenarios {
        failure_of(name, Breakage::RejectedSubmitStillApplied)
            .await
            .in_step(3, "the session can still be submitted")
            .count(1)
            .says(Status, "", "200", "400");
    }
}

#[test]
fn every_embedded_scenario_is_broken_by_a_test_in_a_suite_breakages_file() {
    // This file and every `breakages_*.rs` beside it, in `tests/suite/`.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite");
    let mut source = String::new();
    let mut read = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the suite tests folder") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("breakages") && name.ends_with(".rs") {
            source.push_str(&std::fs::read_to_string(&path).expect("a test file"));
            read.push(name.to_string());
        }
    }
    for known in [
        "breakages.rs",
        "breakages_results.rs",
        "breakages_sessions.rs",
    ] {
        assert!(
            read.iter().any(|r| r == known),
            "{known} not read: {read:?}"
        );
    }
    assert!(
        source.contains("fn every_embedded_scenario_is_broken_by_a_test_in_a_suite_breakages_file")
    );
    let source: String = source.split_whitespace().collect();
    let scenarios: Vec<String> = load_embedded()
        .scenarios
        .into_iter()
        .map(|s| s.trial_name)
        .collect();
    assert!(!scenarios.is_empty(), "the embedded suite has no scenarios");
    let missing: Vec<String> = scenarios
        .into_iter()
        .filter(|name| !source.contains(&format!("failure_of(\"{name}\",")))
        .collect();
    assert!(
        missing.is_empty(),
        "no breakage test for: {}",
        missing.join(", ")
    );
}
