//! The create, media and attempts scenarios (specs/create.yaml, media.yaml,
//! media_lists.yaml, media_download.yaml, attempts.yaml), each run against the
//! embedded mock with one of its promises broken ([`Breakage`]): each fails,
//! and its message names the step and what broke. One test per scenario, in
//! spec file order, then further promises of the same scenarios. The guard
//! that no embedded scenario goes without such a test is the last test of
//! `breakages.rs`.

use veriff_conformance::CheckKind::{Body, Header, Schema, Signature, Status};
use veriff_conformance::Outcome;

use crate::support::{Breakage, BrokenMock, failure_of, run, scenario, warnings_of};

const UNAUTHORIZED_SHAPE: &str = "\"code\" is a required property";

// create.yaml

#[tokio::test]
async fn create_scenario_fails_when_the_answer_has_no_session_token() {
    failure_of(
        "create::create_returns_the_documented_201_body",
        Breakage::CreatedWithoutSessionToken,
    )
    .await
    .in_step(1, "create a session with vendorData")
    .says(
        Schema,
        "$.verification",
        "\"sessionToken\" is a required property",
        "",
    );
}

#[tokio::test]
async fn create_scenario_warns_when_vendor_data_is_not_echoed() {
    // Only a transcription of the create page lists vendorData in its answer.
    warnings_of(
        "create::create_returns_the_documented_201_body",
        Breakage::CreatedVendorDataDropped,
    )
    .await
    .count(1)
    .warns(Body, "$.verification.vendorData", "null; expected \"vc-");
}

#[tokio::test]
async fn vendor_data_limit_scenario_fails_when_1000_characters_are_refused() {
    failure_of(
        "create::vendordata_of_1_000_characters_is_accepted",
        Breakage::VendorDataLimitOffByOne,
    )
    .await
    .in_step(1, "create a session with 1,000 characters of vendorData")
    .says(Status, "", "201", "400")
    .says(Schema, "$", "\"verification\" is a required property", "");
}

#[tokio::test]
async fn long_vendor_data_scenario_fails_when_it_is_cut_and_accepted() {
    failure_of(
        "create::vendordata_over_1_000_characters_is_rejected",
        Breakage::LongVendorDataAccepted,
    )
    .await
    .in_step(1, "create a session with 1,001 characters of vendorData")
    .says(Status, "", "400", "201")
    .says(Body, "$.status", "\"fail\"", "\"success\"")
    .says(Body, "$.code", "\"1500\"", "absent");
}

#[tokio::test]
async fn non_string_vendor_data_scenario_fails_when_it_is_accepted() {
    failure_of(
        "create::vendordata_that_is_not_a_string_is_rejected",
        Breakage::NonStringVendorDataAccepted,
    )
    .await
    .in_step(1, "create a session with a number as vendorData")
    .says(Status, "", "400", "201")
    .says(Body, "$.code", "\"1501\"", "absent");
}

#[tokio::test]
async fn missing_verification_scenario_fails_when_it_gets_another_code() {
    failure_of(
        "create::a_body_without_verification_is_rejected",
        Breakage::MissingVerificationIsAnInvalidParameter,
    )
    .await
    .in_step(1, "create a session with an empty body object")
    .count(1)
    .says(Body, "$.code", "\"1102\"", "\"1104\"");
}

#[tokio::test]
async fn http_callback_scenario_fails_when_it_is_accepted() {
    failure_of(
        "create::a_callback_that_is_not_https_is_rejected",
        Breakage::HttpCallbackAccepted,
    )
    .await
    .in_step(1, "create a session with an http callback")
    .says(Status, "", "400", "201")
    .says(Body, "$.code", "\"1302\"", "absent");
}

#[tokio::test]
async fn end_user_id_scenario_fails_when_the_decision_drops_it() {
    failure_of(
        "create::enduserid_is_echoed_in_the_decision",
        Breakage::EndUserIdNotEchoed,
    )
    .await
    .in_step(3, "decide it and read the decision")
    .count(1)
    .says(Body, "$.verification.endUserId", "\"", "null");
}

// media.yaml

#[tokio::test]
async fn created_upload_scenario_fails_when_a_created_session_refuses_media() {
    failure_of(
        "media::media_upload_to_a_created_session_is_accepted",
        Breakage::CreatedSessionRefusesMedia,
    )
    .await
    .in_step(2, "upload a document image")
    .count(1)
    .says(Status, "", "2xx", "409");
}

#[tokio::test]
async fn started_upload_scenario_fails_when_a_started_session_refuses_media() {
    failure_of(
        "media::media_upload_to_a_started_session_is_accepted",
        Breakage::StartedSessionRefusesMedia,
    )
    .await
    .in_step(3, "upload a document image to the started session")
    .count(1)
    .says(Status, "", "2xx", "409");
    // The same server still takes media while the session is created.
    let mock = BrokenMock::start(Breakage::StartedSessionRefusesMedia).await;
    let result = run(
        &scenario("media::media_upload_to_a_created_session_is_accepted"),
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
async fn upload_without_image_scenario_fails_when_the_upload_is_accepted() {
    failure_of(
        "media::an_upload_without_an_image_object_is_rejected",
        Breakage::BadUploadsAccepted,
    )
    .await
    .in_step(2, "upload context and content without the image object")
    .says(Status, "", "400", "201")
    .says(Body, "$.status", "\"fail\"", "\"success\"")
    .says(Body, "$.code", "a string matching /^140[03]$/", "absent");
}

#[tokio::test]
async fn upload_without_image_scenario_fails_on_a_neighbouring_code() {
    failure_of(
        "media::an_upload_without_an_image_object_is_rejected",
        Breakage::UploadErrorCodesSwapped,
    )
    .await
    .in_step(2, "upload context and content without the image object")
    .count(1)
    .says(Body, "$.code", "a string matching /^140[03]$/", "\"1402\"");
}

#[tokio::test]
async fn no_context_scenario_fails_when_the_upload_is_accepted() {
    failure_of(
        "media::an_image_without_context_is_rejected",
        Breakage::BadUploadsAccepted,
    )
    .await
    .in_step(2, "upload an image without context")
    .says(Status, "", "400", "201")
    .says(Body, "$.code", "\"1403\"", "absent");
}

#[tokio::test]
async fn no_context_scenario_fails_on_a_neighbouring_code() {
    failure_of(
        "media::an_image_without_context_is_rejected",
        Breakage::UploadErrorCodesSwapped,
    )
    .await
    .in_step(2, "upload an image without context")
    .count(1)
    .says(Body, "$.code", "\"1403\"", "\"1402\"");
}

#[tokio::test]
async fn no_content_scenario_fails_when_the_upload_is_accepted() {
    failure_of(
        "media::an_image_without_content_is_rejected",
        Breakage::BadUploadsAccepted,
    )
    .await
    .in_step(2, "upload an image without content")
    .says(Status, "", "400", "201")
    .says(Body, "$.code", "a string matching /^140[03]$/", "absent");
}

#[tokio::test]
async fn no_content_scenario_fails_on_a_neighbouring_code() {
    failure_of(
        "media::an_image_without_content_is_rejected",
        Breakage::UploadErrorCodesSwapped,
    )
    .await
    .in_step(2, "upload an image without content")
    .count(1)
    .says(Body, "$.code", "a string matching /^140[03]$/", "\"1401\"");
}

#[tokio::test]
async fn bad_base64_scenario_fails_when_the_upload_is_accepted() {
    failure_of(
        "media::content_that_is_not_base64_is_rejected",
        Breakage::BadUploadsAccepted,
    )
    .await
    .in_step(2, "upload content that is not base64")
    .says(Status, "", "400", "201")
    .says(Body, "$.code", "\"1401\"", "absent");
}

#[tokio::test]
async fn bad_base64_scenario_fails_on_a_neighbouring_code() {
    failure_of(
        "media::content_that_is_not_base64_is_rejected",
        Breakage::UploadErrorCodesSwapped,
    )
    .await
    .in_step(2, "upload content that is not base64")
    .count(1)
    .says(Body, "$.code", "\"1401\"", "\"1400\"");
}

#[tokio::test]
async fn bad_context_scenario_fails_when_the_upload_is_accepted() {
    failure_of(
        "media::an_unsupported_context_is_rejected",
        Breakage::BadUploadsAccepted,
    )
    .await
    .in_step(2, "upload an image with context passport-photo")
    .says(Status, "", "400", "201")
    .says(Body, "$.code", "\"1402\"", "absent");
}

#[tokio::test]
async fn bad_context_scenario_fails_on_a_neighbouring_code() {
    failure_of(
        "media::an_unsupported_context_is_rejected",
        Breakage::UploadErrorCodesSwapped,
    )
    .await
    .in_step(2, "upload an image with context passport-photo")
    .count(1)
    .says(Body, "$.code", "\"1402\"", "\"1403\"");
}

#[tokio::test]
async fn upload_without_api_key_scenario_fails_when_the_upload_is_served() {
    failure_of(
        "media::media_upload_without_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "upload without X-AUTH-CLIENT")
    .says(Status, "", "401", "201")
    .says(Schema, "$", UNAUTHORIZED_SHAPE, "");
}

#[tokio::test]
async fn upload_without_api_key_scenario_fails_when_the_rejected_upload_is_stored() {
    failure_of(
        "media::media_upload_without_x_auth_client_is_rejected",
        Breakage::RejectedUploadStillStored,
    )
    .await
    .in_step(3, "the session still has no media")
    .count(1)
    .says(Schema, "$.images", "more than 0 items", "");
}

#[tokio::test]
async fn upload_signature_scenario_fails_when_upload_signatures_are_not_verified() {
    failure_of(
        "media::media_upload_signed_over_other_bytes_is_rejected",
        Breakage::SignaturesNotVerifiedOffSubmit,
    )
    .await
    .in_step(2, "upload signed over a different body")
    .says(Status, "", "401", "201")
    .says(Schema, "$", UNAUTHORIZED_SHAPE, "");
}

#[tokio::test]
async fn upload_signature_scenario_fails_when_the_rejected_upload_is_stored() {
    failure_of(
        "media::media_upload_signed_over_other_bytes_is_rejected",
        Breakage::RejectedUploadStillStored,
    )
    .await
    .in_step(3, "the session still has no media")
    .count(1)
    .says(Schema, "$.images", "more than 0 items", "");
}

#[tokio::test]
async fn upload_to_unknown_session_scenario_fails_when_it_crashes_the_server() {
    failure_of(
        "media::media_upload_to_an_unknown_session_is_rejected",
        Breakage::UnknownIdIsAServerError,
    )
    .await
    .in_step(1, "upload to a session id that was never created")
    .count(1)
    .says(Status, "", "4xx", "500");
}

// media_download.yaml

#[tokio::test]
async fn download_scenario_fails_when_the_download_is_not_typed_as_an_image() {
    failure_of(
        "media_download::a_downloaded_medium_is_the_uploaded_image",
        Breakage::DownloadTypedOctetStream,
    )
    .await
    .in_step(4, "download the image")
    .count(1)
    .says(
        Header,
        "content-type",
        "a value matching /^image/(jpeg|jpg|png)",
        "\"application/octet-stream\"",
    );
}

#[tokio::test]
async fn download_scenario_fails_when_the_bytes_are_cut_short() {
    failure_of(
        "media_download::a_downloaded_medium_is_the_uploaded_image",
        Breakage::DownloadTruncated,
    )
    .await
    .in_step(4, "download the image")
    .count(1)
    .says(
        Body,
        "$",
        "exactly the 282 bytes of body_base64",
        "141 bytes, the first 141 of them as expected",
    );
}

#[tokio::test]
async fn download_scenario_fails_when_other_bytes_of_the_same_length_come_back() {
    failure_of(
        "media_download::a_downloaded_medium_is_the_uploaded_image",
        Breakage::DownloadOtherBytes,
    )
    .await
    .in_step(4, "download the image")
    .count(1)
    .says(
        Body,
        "$",
        "exactly the 282 bytes of body_base64",
        "282 bytes, which differ from byte 281 on (0x26, not 0xd9)",
    );
}

#[tokio::test]
async fn download_scenario_warns_without_the_vrf_headers() {
    // Only an older rendering of the download page lists them.
    warnings_of(
        "media_download::a_downloaded_medium_is_the_uploaded_image",
        Breakage::DownloadWithoutVrfHeaders,
    )
    .await
    .count(4)
    .warns(Header, "vrf-auth-client", "absent; expected present")
    .warns(Header, "vrf-hmac-signature", "absent; expected present");
}

#[tokio::test]
async fn download_scenario_warns_when_the_vrf_signature_does_not_verify() {
    // Only an older rendering of the page calls it the same signature.
    warnings_of(
        "media_download::a_downloaded_medium_is_the_uploaded_image",
        Breakage::DownloadVrfSignatureDiffers,
    )
    .await
    .warns(
        Signature,
        "vrf-hmac-signature",
        "which does not verify over the 282 body bytes received",
    );
}

#[tokio::test]
async fn download_scenario_warns_when_the_vrf_key_is_not_the_x_key() {
    warnings_of(
        "media_download::a_downloaded_medium_is_the_uploaded_image",
        Breakage::DownloadVrfAuthClientDiffers,
    )
    .await
    .count(1)
    .warns(
        Header,
        "vrf-auth-client",
        "\"00000000-0000-4000-8000-000000000000\"; expected",
    );
}

#[tokio::test]
async fn download_scenario_fails_when_the_download_is_signed_over_the_session_id() {
    failure_of(
        "media_download::a_downloaded_medium_is_the_uploaded_image",
        Breakage::MediaRoutesSignedBySessionId,
    )
    .await
    .in_step(4, "download the image")
    .says(Status, "", "200", "401")
    .says(
        Signature,
        "x-hmac-signature",
        "HMAC-SHA256",
        "no x-hmac-signature header",
    );
}

#[tokio::test]
async fn session_id_download_scenario_fails_when_the_session_id_is_what_is_verified() {
    failure_of(
        "media_download::a_download_signed_over_the_session_id_is_rejected",
        Breakage::MediaRoutesSignedBySessionId,
    )
    .await
    .in_step(4, "download the image signed over the session id")
    .says(Status, "", "401", "200")
    .says(
        Schema,
        "$",
        "a JSON body valid against",
        "the body is not JSON",
    );
}

#[tokio::test]
async fn session_id_download_scenario_fails_when_signatures_are_not_verified() {
    failure_of(
        "media_download::a_download_signed_over_the_session_id_is_rejected",
        Breakage::SignaturesNotVerifiedOffSubmit,
    )
    .await
    .in_step(4, "download the image signed over the session id")
    .says(Status, "", "401", "200");
}

#[tokio::test]
async fn wrong_secret_download_scenario_fails_when_signatures_are_not_verified() {
    failure_of(
        "media_download::a_download_signed_with_another_secret_is_rejected",
        Breakage::SignaturesNotVerifiedOffSubmit,
    )
    .await
    .in_step(4, "download the image signed with a wrong secret")
    .says(Status, "", "401", "200");
}

#[tokio::test]
async fn download_without_api_key_scenario_fails_when_the_download_is_served() {
    failure_of(
        "media_download::a_download_without_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(4, "download the image without X-AUTH-CLIENT")
    .says(Status, "", "401", "200")
    .says(Body, "$", "a JSON body", "the body is not JSON");
}

#[tokio::test]
async fn unknown_media_scenario_fails_when_it_crashes_the_server() {
    failure_of(
        "media_download::an_unknown_media_id_is_rejected",
        Breakage::UnknownIdIsAServerError,
    )
    .await
    .in_step(1, "download a media id that never existed")
    .count(1)
    .says(Status, "", "4xx", "500");
}

// media_lists.yaml

#[tokio::test]
async fn session_media_scenario_fails_when_the_timestamp_is_not_null() {
    failure_of(
        "media_lists::session_media_lists_the_uploaded_image_with_the_documented_fields",
        Breakage::MediaTimestampEchoed,
    )
    .await
    .in_step(3, "list the session's media")
    .count(2)
    .says(Schema, "$.images[0].timestamp", "null", "\"2024-01-01")
    .says(Body, "$.images[0].timestamp", "null", "\"2024-01-01");
}

#[tokio::test]
async fn session_media_scenario_fails_when_the_size_is_not_in_bytes() {
    failure_of(
        "media_lists::session_media_lists_the_uploaded_image_with_the_documented_fields",
        Breakage::MediaSizeIsBase64Length,
    )
    .await
    .in_step(3, "list the session's media")
    .count(1)
    .says(Body, "$.images[0].size", "282", "376");
}

#[tokio::test]
async fn attempt_media_scenario_fails_when_it_is_verified_over_the_session_id() {
    failure_of(
        "media_lists::attempt_media_lists_the_attempt_s_image_with_the_documented_fields",
        Breakage::MediaRoutesSignedBySessionId,
    )
    .await
    .in_step(5, "list the attempt's media")
    .says(Status, "", "200", "401")
    .says(Body, "$.status", "\"success\"", "\"fail\"");
}

#[tokio::test]
async fn attempt_media_scenario_fails_when_the_size_is_not_in_bytes() {
    failure_of(
        "media_lists::attempt_media_lists_the_attempt_s_image_with_the_documented_fields",
        Breakage::MediaSizeIsBase64Length,
    )
    .await
    .in_step(5, "list the attempt's media")
    .count(1)
    .says(Body, "$.images[0].size", "282", "376");
}

#[tokio::test]
async fn most_recent_attempt_scenario_fails_when_every_attempt_is_listed() {
    failure_of(
        "media_lists::session_media_lists_only_the_most_recent_attempt",
        Breakage::SessionMediaListsEveryAttempt,
    )
    .await
    .in_step(6, "the session's media are the new attempt's")
    .count(2)
    .says(Body, "$.images", "an array of 1 item", "2 items")
    .says(
        Body,
        "$.images[0].context",
        "\"face\"",
        "\"document-front\"",
    );
}

#[tokio::test]
async fn session_media_without_api_key_scenario_fails_when_the_list_is_served() {
    failure_of(
        "media_lists::session_media_without_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "list the session's media without X-AUTH-CLIENT")
    .says(Status, "", "401", "200")
    .says(Schema, "$.status", "fail", "\"success\"");
}

#[tokio::test]
async fn session_media_signature_scenario_fails_when_signatures_are_not_verified() {
    failure_of(
        "media_lists::session_media_signed_over_another_id_is_rejected",
        Breakage::SignaturesNotVerifiedOffSubmit,
    )
    .await
    .in_step(2, "list the session's media signed over another id")
    .says(Status, "", "401", "200")
    .says(Schema, "$.status", "fail", "\"success\"");
}

#[tokio::test]
async fn unknown_session_media_scenario_fails_when_it_crashes_the_server() {
    failure_of(
        "media_lists::session_media_of_an_unknown_session_is_rejected",
        Breakage::UnknownIdIsAServerError,
    )
    .await
    .in_step(1, "list the media of a session id that was never created")
    .count(1)
    .says(Status, "", "4xx", "500");
}

#[tokio::test]
async fn attempt_media_without_api_key_scenario_fails_when_the_list_is_served() {
    failure_of(
        "media_lists::attempt_media_without_x_auth_client_is_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(4, "list the attempt's media without X-AUTH-CLIENT")
    .says(Status, "", "401", "200")
    .says(Schema, "$.status", "fail", "\"success\"");
}

#[tokio::test]
async fn session_id_attempt_media_scenario_fails_when_the_session_id_is_what_is_verified() {
    failure_of(
        "media_lists::attempt_media_signed_over_the_session_id_is_rejected",
        Breakage::MediaRoutesSignedBySessionId,
    )
    .await
    .in_step(4, "list the attempt's media signed over the session id")
    .says(Status, "", "401", "200")
    .says(Schema, "$.status", "fail", "\"success\"");
}

#[tokio::test]
async fn session_id_attempt_media_scenario_fails_when_signatures_are_not_verified() {
    failure_of(
        "media_lists::attempt_media_signed_over_the_session_id_is_rejected",
        Breakage::SignaturesNotVerifiedOffSubmit,
    )
    .await
    .in_step(4, "list the attempt's media signed over the session id")
    .says(Status, "", "401", "200");
}

#[tokio::test]
async fn unknown_attempt_media_scenario_fails_when_it_crashes_the_server() {
    failure_of(
        "media_lists::attempt_media_of_an_unknown_attempt_is_rejected",
        Breakage::UnknownIdIsAServerError,
    )
    .await
    .in_step(1, "list the media of an attempt id that never existed")
    .count(1)
    .says(Status, "", "4xx", "500");
}

// attempts.yaml

#[tokio::test]
async fn attempts_scenario_fails_when_attempts_have_no_status() {
    failure_of(
        "attempts::attempts_list_the_submitted_attempt",
        Breakage::AttemptsWithoutStatus,
    )
    .await
    .in_step(4, "list the attempts")
    .count(2)
    .says(
        Schema,
        "$.verifications[0]",
        "\"status\" is a required property",
        "",
    )
    .says(
        Body,
        "$.verifications[0].status",
        "a value of type string",
        "absent",
    );
}

#[tokio::test]
async fn newest_first_scenario_fails_when_attempts_are_oldest_first() {
    failure_of(
        "attempts::attempts_are_listed_newest_first",
        Breakage::AttemptsOldestFirst,
    )
    .await
    .in_step(6, "list the attempts")
    .count(1)
    .says(Body, "$.verifications[1].id", "\"", "\"");
}

#[tokio::test]
async fn attempts_without_api_key_scenario_fails_when_the_list_is_served() {
    failure_of(
        "attempts::attempts_without_x_auth_client_are_rejected",
        Breakage::MissingApiKeyAccepted,
    )
    .await
    .in_step(2, "list the attempts without X-AUTH-CLIENT")
    .says(Status, "", "401", "200")
    .says(Schema, "$.status", "fail", "\"success\"");
}

#[tokio::test]
async fn attempts_signature_scenario_fails_when_signatures_are_not_verified() {
    failure_of(
        "attempts::attempts_signed_over_another_id_are_rejected",
        Breakage::SignaturesNotVerifiedOffSubmit,
    )
    .await
    .in_step(2, "list the attempts signed over another id")
    .says(Status, "", "401", "200")
    .says(Schema, "$.status", "fail", "\"success\"");
}

#[tokio::test]
async fn unknown_attempts_scenario_fails_when_it_crashes_the_server() {
    failure_of(
        "attempts::attempts_of_an_unknown_session_are_not_found",
        Breakage::UnknownIdIsAServerError,
    )
    .await
    .in_step(
        1,
        "list the attempts of a session id that was never created",
    )
    .count(1)
    .says(Status, "", "404", "500");
}
