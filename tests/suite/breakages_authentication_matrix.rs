//! The authentication matrix (`specs/authentication_matrix.yaml`): each
//! scenario fails against a mock that, on that scenario's endpoint only,
//! serves the request it sends as if its credentials were right: a foreign
//! API key, no signature, or a signature that does not verify.

use veriff_conformance::CheckKind::Status;
use veriff_conformance::Outcome;

use crate::support::{Breakage, BrokenMock, Endpoint, failure_of, run, scenario};

// DELETE /v1/sessions/{id}

#[tokio::test]
async fn delete_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
{
    failure_of(
        "authentication_matrix::a_delete_with_an_api_key_that_is_not_ours_is_refused",
        Breakage::ForeignKeyServedOn(Endpoint::Delete),
    )
    .await
    .in_step(2, "delete it with an API key that is not ours")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_delete_without_x_hmac_signature_is_refused",
        Breakage::UnsignedServedOn(Endpoint::Delete),
    )
    .await
    .in_step(2, "delete it without X-HMAC-SIGNATURE")
    .says(Status, "", "401", "200");
    failure_of(
        "authentication_matrix::a_delete_signed_over_another_id_is_refused",
        Breakage::BadSignatureServedOn(Endpoint::Delete),
    )
    .await
    .in_step(2, "delete it signed over another id")
    .says(Status, "", "401", "200");
}

// POST /v1/sessions/{id}/media

#[tokio::test]
async fn upload_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
{
    failure_of(
        "authentication_matrix::media_upload_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::Upload),
    )
    .await
    .in_step(2, "upload with an API key that is not ours")
    .says(Status, "", "4xx", "201");
    failure_of(
        "authentication_matrix::media_upload_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::Upload),
    )
    .await
    .in_step(2, "upload without X-HMAC-SIGNATURE")
    .says(Status, "", "401", "201");
    failure_of(
        "authentication_matrix::media_upload_signed_with_another_secret_is_rejected",
        Breakage::BadSignatureServedOn(Endpoint::Upload),
    )
    .await
    .in_step(2, "upload signed with another secret")
    .says(Status, "", "401", "201");
}

// GET /v1/sessions/{id}/media

#[tokio::test]
async fn session_media_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
 {
    failure_of(
        "authentication_matrix::the_session_media_list_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::SessionMedia),
    )
    .await
    .in_step(2, "list the session's media with an API key that is not ours")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::the_session_media_list_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::SessionMedia),
    )
    .await
    .in_step(2, "list the session's media without X-HMAC-SIGNATURE")
    .says(Status, "", "401", "200");
    failure_of(
        "authentication_matrix::the_session_media_list_signed_with_another_secret_is_rejected",
        Breakage::BadSignatureServedOn(Endpoint::SessionMedia),
    )
    .await
    .in_step(2, "list the session's media signed with another secret")
    .says(Status, "", "401", "200");
}

// GET /v1/attempts/{id}/media

#[tokio::test]
async fn attempt_media_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
 {
    failure_of(
        "authentication_matrix::the_attempt_media_list_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::AttemptMedia),
    )
    .await
    .in_step(4, "list the attempt's media with an API key that is not ours")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::the_attempt_media_list_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::AttemptMedia),
    )
    .await
    .in_step(4, "list the attempt's media without X-HMAC-SIGNATURE")
    .says(Status, "", "401", "200");
    failure_of(
        "authentication_matrix::the_attempt_media_list_signed_with_another_secret_is_rejected",
        Breakage::BadSignatureServedOn(Endpoint::AttemptMedia),
    )
    .await
    .in_step(4, "list the attempt's media signed with another secret")
    .says(Status, "", "401", "200");
}

// GET /v1/media/{id}

#[tokio::test]
async fn download_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
 {
    failure_of(
        "authentication_matrix::a_download_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::Download),
    )
    .await
    .in_step(4, "download the image with an API key that is not ours")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_download_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::Download),
    )
    .await
    .in_step(4, "download the image without X-HMAC-SIGNATURE")
    .says(Status, "", "401", "200");
}

// GET /v1/sessions/{id}/attempts

#[tokio::test]
async fn attempts_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
 {
    failure_of(
        "authentication_matrix::the_attempts_list_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::Attempts),
    )
    .await
    .in_step(2, "list the attempts with an API key that is not ours")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::the_attempts_list_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::Attempts),
    )
    .await
    .in_step(2, "list the attempts without X-HMAC-SIGNATURE")
    .says(Status, "", "401", "200");
    failure_of(
        "authentication_matrix::the_attempts_list_signed_with_another_secret_is_rejected",
        Breakage::BadSignatureServedOn(Endpoint::Attempts),
    )
    .await
    .in_step(2, "list the attempts signed with another secret")
    .says(Status, "", "401", "200");
}

// GET /v1/sessions/{id}/decision

#[tokio::test]
async fn decision_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
 {
    failure_of(
        "authentication_matrix::a_decision_request_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::Decision),
    )
    .await
    .in_step(2, "read the decision with an API key that is not ours")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_decision_request_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::Decision),
    )
    .await
    .in_step(2, "read the decision without X-HMAC-SIGNATURE")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_decision_request_signed_over_another_id_is_rejected",
        Breakage::BadSignatureServedOn(Endpoint::Decision),
    )
    .await
    .in_step(2, "read the decision signed over another id")
    .says(Status, "", "4xx", "200");
}

// GET /v1/sessions/{id}/person

#[tokio::test]
async fn person_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
{
    failure_of(
        "authentication_matrix::a_person_request_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::Person),
    )
    .await
    .in_step(2, "read the person with an API key that is not ours")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_person_request_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::Person),
    )
    .await
    .in_step(2, "read the person without X-HMAC-SIGNATURE")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_person_request_signed_over_another_id_is_rejected",
        Breakage::BadSignatureServedOn(Endpoint::Person),
    )
    .await
    .in_step(2, "read the person signed over another id")
    .says(Status, "", "4xx", "200");
}

// GET /v1/sessions/{id}/watchlist-screening

#[tokio::test]
async fn watchlist_authentication_scenarios_fail_when_the_endpoint_serves_the_credentials_they_break()
 {
    failure_of(
        "authentication_matrix::a_screening_request_with_an_api_key_that_is_not_ours_is_rejected",
        Breakage::ForeignKeyServedOn(Endpoint::Watchlist),
    )
    .await
    .in_step(
        2,
        "read the screening result with an API key that is not ours",
    )
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_screening_request_without_x_hmac_signature_is_rejected",
        Breakage::UnsignedServedOn(Endpoint::Watchlist),
    )
    .await
    .in_step(2, "read the screening result without X-HMAC-SIGNATURE")
    .says(Status, "", "4xx", "200");
    failure_of(
        "authentication_matrix::a_screening_request_signed_over_another_id_is_rejected",
        Breakage::BadSignatureServedOn(Endpoint::Watchlist),
    )
    .await
    .in_step(2, "read the screening result signed over another id")
    .says(Status, "", "4xx", "200");
}

#[tokio::test]
async fn each_matrix_breakage_loosens_its_own_endpoint_and_no_other() {
    // Unsigned decision requests are served; unsigned person requests are
    // still refused by the mock, so the person scenario passes.
    let mock = BrokenMock::start(Breakage::UnsignedServedOn(Endpoint::Decision)).await;
    for name in [
        "authentication_matrix::a_person_request_without_x_hmac_signature_is_rejected",
        "authentication_matrix::the_attempts_list_without_x_hmac_signature_is_rejected",
    ] {
        let result = run(&scenario(name), mock.target()).await;
        assert!(
            matches!(result.outcome, Outcome::Passed),
            "{name}: {:?}",
            result.outcome
        );
    }
    let result = run(
        &scenario("authentication_matrix::a_decision_request_without_x_hmac_signature_is_rejected"),
        mock.target(),
    )
    .await;
    assert!(
        matches!(result.outcome, Outcome::Failed(_)),
        "{:?}",
        result.outcome
    );
}
