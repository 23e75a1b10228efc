//! The broken promises ([`Breakage`]) and the middleware that breaks them
//! in front of the mock's real router, added to a [`MockServerBuilder`] as a
//! layer by [`add`].
//!
//! Everything the middleware does not break is the mock's own behaviour. When
//! it changes a body that the mock had signed it signs the new bytes again
//! with the mock's shared secret, so that only the named promise breaks.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::{Value, json};
use veriff_conformance::mock::{MockConfig, MockServerBuilder};
use veriff_conformance::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign};

use super::http::{Req, Res, call};

// --- suite1 breakages ---
mod sessions;
// --- the authentication matrix ---
mod auth;
// --- webhooks ---
mod webhooks;

pub use auth::Endpoint;

/// One promise of the endpoint page, broken. Everything else is the mock's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// Breaks nothing: requests and responses pass unchanged.
    Nothing,
    /// A request without `X-AUTH-CLIENT` is served as if it carried the right key.
    MissingApiKeyAccepted,
    /// Any `X-AUTH-CLIENT` is served as if it were the right key.
    AnyApiKeyAccepted,
    /// A submit's signature is not verified: any `X-HMAC-SIGNATURE` is accepted.
    SignatureNotVerified,
    /// A submit signed with another secret is accepted. The server cannot tell
    /// which secret made a signature, so this one accepts any well-formed
    /// signature (64 lowercase hex characters, the form of an HMAC-SHA256)
    /// that does not verify; garbage and missing signatures still get the 401.
    OtherSecretSignatureAccepted,
    /// A submit rejected for its credentials (the mock's 401: a missing or
    /// wrong API key, a signature that does not verify) gets that 401, but the
    /// session is submitted all the same.
    RejectedSubmitStillApplied,
    /// A signature that is not hex crashes the server: the documented 500.
    NonHexSignatureCrashes,
    /// A submit without `X-HMAC-SIGNATURE` is served as if it were signed.
    MissingSignatureAccepted,
    /// Media uploaded after the submit is accepted: 201 instead of 409.
    MediaAfterSubmitAccepted,
    /// The 404 body has `code` as a JSON number (`1101`), not a string.
    NotFoundCodeIsANumber,
    /// A 500 is a plain-text page, not the documented JSON body.
    ServerErrorIsPlainText,
    /// The submit response's `vendorData` is cut to 8 characters.
    VendorDataTruncated,
    /// The submit response has no `vendorData` field.
    VendorDataDropped,
    /// A session the end user has opened (`started`) cannot be submitted:
    /// 400 "Validation failed".
    StartedSessionRejected,
    /// Submitting again returns the first submit's 200 response.
    SecondSubmitSucceeds,
    /// The double-submit 400 says something other than the documented message.
    AlreadySubmittedMessageChanged,
    /// A submit with another `status` value is treated as `submitted`.
    AnyStatusValueSubmits,
    /// A `verification` without `status` gets 400 code 1305 (DELETE's "not
    /// in a completed status"), which no table gives it.
    MissingStatusGetsAnUnrelatedCode,
    /// A request without `X-AUTH-CLIENT` is refused with 403, not the documented 401.
    MissingApiKeyIs403,
    /// A request without `X-AUTH-CLIENT` gets 401 with code 1803 (no
    /// integration with that key), which neither page gives that case.
    MissingApiKeyGetsAnUnrelatedCode,
    /// A submit whose signature does not verify gets 401 with code 1101,
    /// which no page gives that case.
    SignatureMismatchIs1101,
    /// A `verification` that is not an object crashes the server: the documented 500.
    NonObjectVerificationCrashes,
    /// An empty submit body is taken as a submit: 200.
    EmptyBodySubmits,
    /// The submit response's `url` is on another host than `host`.
    UrlNotBuiltFromHostAndToken,
    /// The submit response's `id` is a UUID v1 (version nibble changed).
    IdNotAUuidV4,
    /// The submit response is signed over other bytes (the pretty-printed body).
    ResponseSignedOverOtherBytes,
    /// The submit response has no `x-hmac-signature`.
    ResponseUnsigned,
    /// The submit response's content type is `text/plain; charset=utf-8`.
    ResponseIsTextPlain,
    /// The submit response has no `x-auth-client` header.
    ResponseWithoutApiKeyHeader,
    /// Submits of one session that arrive while another is being handled
    /// all succeed: the state is read without a lock, so each sees the
    /// session still `created` and gets the same 200. The first waits for
    /// the race's 5 submits (at most 1 s) before it reaches the mock, so
    /// however slowly the others arrive, they overlap it. A submit arriving
    /// after that still gets the mock's 400.
    ConcurrentSubmitsAllSucceed,
    // --- suite1 breakages --- (create, media, attempts: see breakages/sessions.rs)
    /// The create response's `vendorData` is null, whatever was sent.
    CreatedVendorDataDropped,
    /// The create response has no `verification.sessionToken`.
    CreatedWithoutSessionToken,
    /// vendorData of 1,000 characters or more is refused (400 1500): the
    /// limit is off by one.
    VendorDataLimitOffByOne,
    /// vendorData over 1,000 characters is cut to 1,000 and the session created.
    LongVendorDataAccepted,
    /// vendorData that is not a string is turned into one and the session created.
    NonStringVendorDataAccepted,
    /// A create body without `verification` gets 400 code 1104 (invalid
    /// parameters) instead of 1102 (mandatory parameters missing).
    MissingVerificationIsAnInvalidParameter,
    /// The decision's `endUserId` is null, whatever the create body said.
    EndUserIdNotEchoed,
    /// Media uploaded to a session that is still `created` gets 409.
    CreatedSessionRefusesMedia,
    /// Media uploaded to a session the end user has opened (`started`) gets 409.
    StartedSessionRefusesMedia,
    /// An upload the mock rejects with 400 is stored anyway, as a valid image: 201.
    BadUploadsAccepted,
    /// Upload errors carry the neighbouring code: 1400 and 1401 swapped, 1402
    /// and 1403 swapped.
    UploadErrorCodesSwapped,
    /// An upload rejected for its credentials (401) is stored all the same;
    /// the client still reads the 401.
    RejectedUploadStillStored,
    /// Signatures of uploads and of the GET routes are not verified: any
    /// `X-HMAC-SIGNATURE` is accepted (the submit's still is verified).
    SignaturesNotVerifiedOffSubmit,
    /// An unknown id crashes the server: every 404 becomes the documented 500.
    UnknownIdIsAServerError,
    /// Media list items carry the upload time as `timestamp` instead of null.
    MediaTimestampEchoed,
    /// Media list items give as `size` the length of the base64 text, not the bytes.
    MediaSizeIsBase64Length,
    /// The session's media list holds the media of every attempt, not only
    /// the most recent one.
    SessionMediaListsEveryAttempt,
    /// `GET /v1/attempts/{id}/media` and `GET /v1/media/{id}` verify the
    /// signature over the session id: one over a session id is accepted, one
    /// over the attempt or media id is 401 1812.
    MediaRoutesSignedBySessionId,
    /// A download's content type is `application/octet-stream`.
    DownloadTypedOctetStream,
    /// A download sends only the first half of the bytes (signed over them).
    /// A download of as many bytes as were uploaded, correctly signed, but other bytes.
    DownloadOtherBytes,
    DownloadTruncated,
    /// A download has no `vrf-auth-client` and no `vrf-hmac-signature`.
    DownloadWithoutVrfHeaders,
    /// A download's `vrf-hmac-signature` is an HMAC of the media id, not the
    /// bytes, so it differs from `x-hmac-signature`.
    DownloadVrfSignatureDiffers,
    /// The attempts list's items have no `status`.
    AttemptsWithoutStatus,
    /// The attempts list is oldest first.
    AttemptsOldestFirst,
    /// A create body's `http://` callback is taken as `https://`.
    HttpCallbackAccepted,
    /// A download's `vrf-auth-client` is another key than `x-auth-client`.
    DownloadVrfAuthClientDiffers,
    // --- suite2 breakages ---
    /// GET and DELETE signatures are not verified: any `X-HMAC-SIGNATURE` on
    /// them is served as if it were the HMAC of the id in the path.
    IdSignatureNotVerified,
    /// A GET of an unknown session's decision, person or watchlist screening
    /// is a signed 200 instead of a 404: `{"status":"success","verification":null}`
    /// for the decision, `{"status":"success"}` for the others.
    UnknownSessionResultsAreEmpty,
    /// Deleting an unknown session is a signed 200 success instead of a 404.
    DeletingAnUnknownSessionSucceeds,
    /// The DELETE 200 body has no `verification.id`.
    DeleteBodyWithoutId,
    /// DELETE answers the documented 200 but deletes nothing.
    DeletedSessionLingers,
    /// Deleting a submitted session is a 200 success instead of 400 1305
    /// (nothing is deleted).
    SubmittedSessionDeletable,
    /// The 1305 body has `"status":"error"`: neither the DELETE page's
    /// number 400 nor the common `"fail"`.
    NotDeletableStatusUndocumented,
    /// An undecided session's decision is `verification: {}`, not null.
    UndecidedDecisionIsNotNull,
    /// The decision's `code` is a string (`"9001"`), not a number.
    DecisionCodeIsAString,
    /// The decision has no `endUserId`.
    DecisionWithoutEndUserId,
    /// The decision's `attemptId` is a fresh UUID, not the decided attempt.
    DecisionAttemptIsNotTheNewest,
    /// A declined decision has code 9001 (approved's).
    DeclinedDecisionHasApprovedCode,
    /// A resubmission request has code 9121 (review's).
    ResubmissionDecisionHasReviewCode,
    /// The person body has no `pepSanctionMatches` anywhere.
    PersonWithoutPepSanctionMatches,
    /// The watchlist screening's `data` has no `sessionId`.
    WatchlistWithoutSessionId,
    /// The watchlist screening says `matchStatus: no_match` with a hit in `hits`.
    WatchlistNoMatchWithHits,
    /// The session's media list leaves out its `document-back` image.
    SessionMediaListDropsTheBack,
    /// A downloaded medium is typed `application/octet-stream`, not `image/*`.
    DownloadedMediaAreNotImages,
    // --- the authentication matrix (see breakages/auth.rs) ---
    /// On this endpoint only, any `X-AUTH-CLIENT` is served as if it were the right key.
    ForeignKeyServedOn(Endpoint),
    /// On this endpoint only, a request without `X-HMAC-SIGNATURE` is served
    /// as if it were correctly signed.
    UnsignedServedOn(Endpoint),
    /// On this endpoint only, a signature that does not verify (made with
    /// another secret, or over another payload) is served as if it did.
    BadSignatureServedOn(Endpoint),
    // --- webhooks ---
    /// The `submitted` event webhook is never sent.
    SubmittedEventNotSent,
    /// The `started` event webhook has code 7003 instead of 7001 (signed again).
    StartedEventCodeChanged,
    /// Decision webhooks are sent without `X-HMAC-SIGNATURE`.
    DecisionWebhookUnsigned,
    /// Decision webhooks are signed with another secret.
    DecisionWebhookSignedWithAnotherSecret,
    /// Decision webhooks carry another integration's API key.
    DecisionWebhookWithAnotherKey,
    /// The decision webhook has a field that the decision endpoint does not
    /// (signed again, so only the likeness breaks).
    DecisionWebhookDiffersFromTheEndpoint,
}

/// Adds the middleware that breaks `breakage` to `builder`, for a mock that
/// runs with `config` (it re-signs with the config's secret).
pub fn add(
    builder: MockServerBuilder,
    breakage: Breakage,
    config: &MockConfig,
) -> MockServerBuilder {
    let breaker = Arc::new(Breaker {
        breakage,
        api_key: config.api_key.clone(),
        secret: config.shared_secret.clone(),
        submitted: Mutex::default(),
        started: Mutex::default(),
        racing: Mutex::default(),
        // --- suite1 breakages ---
        memory: sessions::Memory::default(),
    });
    let builder = match webhooks::tamper(breakage, &config.shared_secret) {
        Some(tamper) => builder.tamper_webhooks(tamper),
        None => builder,
    };
    builder.layer(middleware::from_fn_with_state(breaker, breaking))
}

/// The breakage and what it remembers between requests.
struct Breaker {
    breakage: Breakage,
    api_key: String,
    secret: String,
    /// Session id to the first successful submit response.
    submitted: Mutex<HashMap<String, Res>>,
    /// Ids of sessions the end user has opened.
    started: Mutex<HashSet<String>>,
    /// Session id to the race of submits being handled now.
    racing: Mutex<HashMap<String, Arc<Race>>>,
    // --- suite1 breakages ---
    /// What the create, media and attempts breakages remember.
    memory: sessions::Memory,
}

/// The submits of one session that [`Breakage::ConcurrentSubmitsAllSucceed`]
/// lets through together: how many have come, and the one answer they share.
struct Race {
    arrived: tokio::sync::watch::Sender<usize>,
    answer: tokio::sync::OnceCell<Res>,
}

impl Race {
    /// The submits of `submit::concurrent_submits_let_exactly_one_through`.
    const SUBMITS: usize = 5;
}

impl Default for Race {
    fn default() -> Race {
        Race {
            arrived: tokio::sync::watch::Sender::new(0),
            answer: tokio::sync::OnceCell::new(),
        }
    }
}

async fn breaking(State(breaker): State<Arc<Breaker>>, request: Request, next: Next) -> Response {
    let req = Req::read(request).await;
    breaker.apply(req, next).await.into_response()
}

impl Breaker {
    async fn apply(&self, mut req: Req, next: Next) -> Res {
        let secret = self.secret.as_str();
        let is_submit = req.submit_id().is_some();
        match self.breakage {
            // Webhook breakages tamper with what the mock posts, not with requests.
            Breakage::Nothing
            | Breakage::SubmittedEventNotSent
            | Breakage::StartedEventCodeChanged
            | Breakage::DecisionWebhookUnsigned
            | Breakage::DecisionWebhookSignedWithAnotherSecret
            | Breakage::DecisionWebhookWithAnotherKey
            | Breakage::DecisionWebhookDiffersFromTheEndpoint => call(next, req).await,
            Breakage::MissingApiKeyAccepted => {
                if req.header(API_KEY_HEADER).is_none() {
                    req.set_header(API_KEY_HEADER, &self.api_key);
                }
                call(next, req).await
            }
            Breakage::AnyApiKeyAccepted => {
                if req.header(API_KEY_HEADER).is_some() {
                    req.set_header(API_KEY_HEADER, &self.api_key);
                }
                call(next, req).await
            }
            Breakage::SignatureNotVerified => {
                if is_submit && req.header(SIGNATURE_HEADER).is_some() {
                    req.sign(secret);
                }
                call(next, req).await
            }
            Breakage::OtherSecretSignatureAccepted => {
                let well_formed = req.header(SIGNATURE_HEADER).is_some_and(|sig| {
                    sig.len() == 64 && sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                });
                if is_submit && well_formed && !req.signature_verifies(secret) {
                    req.sign(secret);
                }
                call(next, req).await
            }
            Breakage::RejectedSubmitStillApplied => {
                let mut retry = req.clone();
                let res = call(next.clone(), req).await;
                if is_submit && res.status == StatusCode::UNAUTHORIZED {
                    // Applied as if the credentials had been right; the
                    // client still reads the mock's own 401.
                    retry.set_header(API_KEY_HEADER, &self.api_key);
                    retry.sign(secret);
                    let _applied = call(next, retry).await;
                }
                res
            }
            Breakage::NonHexSignatureCrashes => {
                let not_hex = req
                    .header(SIGNATURE_HEADER)
                    .is_some_and(|sig| !sig.chars().all(|c| c.is_ascii_hexdigit()));
                if not_hex {
                    return Res::fail(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "1101",
                        "Something went wrong",
                    );
                }
                call(next, req).await
            }
            Breakage::MissingSignatureAccepted => {
                if is_submit && req.header(SIGNATURE_HEADER).is_none() {
                    req.sign(secret);
                }
                call(next, req).await
            }
            Breakage::MediaAfterSubmitAccepted => {
                let is_media = req.is_media();
                let res = call(next, req).await;
                if is_media && res.status == StatusCode::CONFLICT {
                    let body = json!({
                        "status": "success",
                        "image": {
                            "context": "document-front",
                            "id": uuid::Uuid::new_v4().to_string(),
                            "name": "document-front",
                            "timestamp": null,
                        },
                    });
                    return Res::signed_json(StatusCode::CREATED, &body, &self.api_key, secret);
                }
                res
            }
            Breakage::NotFoundCodeIsANumber => {
                let mut res = call(next, req).await;
                if res.status == StatusCode::NOT_FOUND {
                    res.edit_json(secret, |body| {
                        let code = body["code"].as_str().and_then(|c| c.parse::<u64>().ok());
                        if let Some(code) = code {
                            body["code"] = json!(code);
                        }
                    });
                }
                res
            }
            Breakage::ServerErrorIsPlainText => {
                let mut res = call(next, req).await;
                if res.status == StatusCode::INTERNAL_SERVER_ERROR {
                    res.headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/plain; charset=utf-8"),
                    );
                    res.body = Bytes::from_static(b"Internal Server Error");
                }
                res
            }
            Breakage::VendorDataTruncated => {
                self.edit_submit_success(next, req, |body| {
                    if let Some(text) = body["verification"]["vendorData"].as_str() {
                        body["verification"]["vendorData"] =
                            json!(text.chars().take(8).collect::<String>());
                    }
                })
                .await
            }
            Breakage::VendorDataDropped => {
                self.edit_submit_success(next, req, |body| {
                    if let Some(v) = body["verification"].as_object_mut() {
                        v.remove("vendorData");
                    }
                })
                .await
            }
            Breakage::StartedSessionRejected => {
                let opens = req.method == Method::GET && req.path.starts_with("/v/");
                if let Some(id) = req.submit_id()
                    && self.started.lock().expect("lock").contains(&id)
                {
                    return Res::fail(StatusCode::BAD_REQUEST, "1101", "Validation failed");
                }
                let res = call(next, req).await;
                if opens
                    && let Some(body) = res.json()
                    && body["verification"]["status"] == "started"
                    && let Some(id) = body["verification"]["id"].as_str()
                {
                    self.started.lock().expect("lock").insert(id.to_string());
                }
                res
            }
            Breakage::SecondSubmitSucceeds => {
                let id = req.submit_id();
                let res = call(next, req).await;
                let Some(id) = id else { return res };
                let mut submitted = self.submitted.lock().expect("lock");
                if res.status == StatusCode::OK {
                    submitted.entry(id).or_insert_with(|| res.clone());
                    res
                } else if res.fail_message().as_deref()
                    == Some("Session has already been submitted")
                    && let Some(first) = submitted.get(&id)
                {
                    first.clone()
                } else {
                    res
                }
            }
            Breakage::AlreadySubmittedMessageChanged => {
                let mut res = call(next, req).await;
                if res.fail_message().as_deref() == Some("Session has already been submitted") {
                    res.edit_json(secret, |body| {
                        body["message"] = json!("Session status cannot be changed");
                    });
                }
                res
            }
            Breakage::AnyStatusValueSubmits => {
                let other_status = req.json().is_some_and(|body| {
                    body["verification"]["status"]
                        .as_str()
                        .is_some_and(|s| s != "submitted")
                });
                if is_submit && other_status {
                    let body = br#"{"verification":{"status":"submitted"}}"#.to_vec();
                    req.set_signed_body(secret, body);
                }
                call(next, req).await
            }
            Breakage::MissingStatusGetsAnUnrelatedCode => {
                let no_status = req.json().is_some_and(|body| {
                    body["verification"]
                        .as_object()
                        .is_some_and(|v| !v.contains_key("status"))
                });
                if is_submit && no_status && req.signature_verifies(secret) {
                    return Res::fail(
                        StatusCode::BAD_REQUEST,
                        "1305",
                        "Session is not in a completed status.",
                    );
                }
                call(next, req).await
            }
            Breakage::MissingApiKeyIs403 | Breakage::MissingApiKeyGetsAnUnrelatedCode => {
                let keyless = req.header(API_KEY_HEADER).is_none();
                let mut res = call(next, req).await;
                if keyless && res.status == StatusCode::UNAUTHORIZED {
                    if self.breakage == Breakage::MissingApiKeyIs403 {
                        res.status = StatusCode::FORBIDDEN;
                    } else {
                        res.edit_json(secret, |body| body["code"] = json!("1803"));
                    }
                }
                res
            }
            Breakage::SignatureMismatchIs1101 => {
                let mut res = call(next, req).await;
                if is_submit && fail_code(&res).as_deref() == Some("1812") {
                    res.edit_json(secret, |body| {
                        body["code"] = json!("1101");
                        body["message"] = json!("Invalid HMAC signature");
                    });
                }
                res
            }
            Breakage::NonObjectVerificationCrashes => {
                let not_object = req
                    .json()
                    .is_some_and(|body| body.get("verification").is_some_and(|v| !v.is_object()));
                if is_submit && not_object && req.signature_verifies(secret) {
                    return Res::fail(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "1101",
                        "Something went wrong",
                    );
                }
                call(next, req).await
            }
            Breakage::EmptyBodySubmits => {
                if is_submit && req.body.is_empty() {
                    let body = br#"{"verification":{"status":"submitted"}}"#.to_vec();
                    req.set_signed_body(secret, body);
                }
                call(next, req).await
            }
            Breakage::UrlNotBuiltFromHostAndToken => {
                self.edit_submit_success(next, req, |body| {
                    let token = body["verification"]["sessionToken"]
                        .as_str()
                        .unwrap_or_default();
                    body["verification"]["url"] = json!(format!("https://magic.example/v/{token}"));
                })
                .await
            }
            Breakage::IdNotAUuidV4 => {
                self.edit_submit_success(next, req, |body| {
                    if let Some(id) = body["verification"]["id"].as_str() {
                        let mut id = id.to_string();
                        id.replace_range(14..15, "1");
                        body["verification"]["id"] = json!(id);
                    }
                })
                .await
            }
            Breakage::ResponseSignedOverOtherBytes => {
                let mut res = call(next, req).await;
                if is_submit
                    && res.status == StatusCode::OK
                    && let Some(body) = res.json()
                {
                    let pretty = serde_json::to_vec_pretty(&body).expect("serialize");
                    res.headers.insert(
                        SIGNATURE_HEADER,
                        HeaderValue::from_str(&sign(secret, &pretty)).expect("hex"),
                    );
                }
                res
            }
            Breakage::ResponseUnsigned => {
                let mut res = call(next, req).await;
                if is_submit && res.status == StatusCode::OK {
                    res.headers.remove(SIGNATURE_HEADER);
                }
                res
            }
            Breakage::ResponseIsTextPlain => {
                let mut res = call(next, req).await;
                if is_submit && res.status == StatusCode::OK {
                    res.headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/plain; charset=utf-8"),
                    );
                }
                res
            }
            Breakage::ConcurrentSubmitsAllSucceed => {
                let Some(id) = req.submit_id() else {
                    return call(next, req).await;
                };
                let (race, first) = {
                    let mut racing = self.racing.lock().expect("lock");
                    match racing.get(&id) {
                        Some(race) => (Arc::clone(race), false),
                        None => {
                            let race = Arc::new(Race::default());
                            racing.insert(id.clone(), Arc::clone(&race));
                            (race, true)
                        }
                    }
                };
                race.arrived.send_modify(|n| *n += 1);
                // One submit reaches the mock, once the race's others have
                // come; they get its answer.
                let res = race
                    .answer
                    .get_or_init(|| async {
                        let mut arrived = race.arrived.subscribe();
                        let all = arrived.wait_for(|n| *n >= Race::SUBMITS);
                        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), all).await;
                        call(next, req).await
                    })
                    .await
                    .clone();
                if first {
                    self.racing.lock().expect("lock").remove(&id);
                }
                res
            }
            Breakage::ResponseWithoutApiKeyHeader => {
                let mut res = call(next, req).await;
                if is_submit && res.status == StatusCode::OK {
                    res.headers.remove(API_KEY_HEADER);
                }
                res
            }
            // --- suite1 breakages ---
            Breakage::CreatedVendorDataDropped
            | Breakage::CreatedWithoutSessionToken
            | Breakage::VendorDataLimitOffByOne
            | Breakage::LongVendorDataAccepted
            | Breakage::NonStringVendorDataAccepted
            | Breakage::MissingVerificationIsAnInvalidParameter
            | Breakage::EndUserIdNotEchoed
            | Breakage::CreatedSessionRefusesMedia
            | Breakage::StartedSessionRefusesMedia
            | Breakage::BadUploadsAccepted
            | Breakage::UploadErrorCodesSwapped
            | Breakage::RejectedUploadStillStored
            | Breakage::SignaturesNotVerifiedOffSubmit
            | Breakage::UnknownIdIsAServerError
            | Breakage::MediaTimestampEchoed
            | Breakage::MediaSizeIsBase64Length
            | Breakage::SessionMediaListsEveryAttempt
            | Breakage::MediaRoutesSignedBySessionId
            | Breakage::DownloadTypedOctetStream
            | Breakage::DownloadTruncated
            | Breakage::DownloadOtherBytes
            | Breakage::DownloadWithoutVrfHeaders
            | Breakage::DownloadVrfSignatureDiffers
            | Breakage::AttemptsWithoutStatus
            | Breakage::AttemptsOldestFirst
            | Breakage::HttpCallbackAccepted
            | Breakage::DownloadVrfAuthClientDiffers => self.apply_sessions(req, next).await,
            // --- the authentication matrix ---
            Breakage::ForeignKeyServedOn(endpoint) => {
                let lax = auth::Lax::ForeignKey;
                auth::serve_as_authentic(&mut req, endpoint, lax, &self.api_key, secret);
                call(next, req).await
            }
            Breakage::UnsignedServedOn(endpoint) => {
                let lax = auth::Lax::Unsigned;
                auth::serve_as_authentic(&mut req, endpoint, lax, &self.api_key, secret);
                call(next, req).await
            }
            Breakage::BadSignatureServedOn(endpoint) => {
                let lax = auth::Lax::BadSignature;
                auth::serve_as_authentic(&mut req, endpoint, lax, &self.api_key, secret);
                call(next, req).await
            }
            // --- suite2 breakages ---
            Breakage::IdSignatureNotVerified => {
                let signs_id = req.method == Method::GET || req.method == Method::DELETE;
                if let Some(id) = path_id(&req.path)
                    && signs_id
                    && req.header(SIGNATURE_HEADER).is_some()
                {
                    req.set_header(SIGNATURE_HEADER, &sign(secret, id.as_bytes()));
                }
                call(next, req).await
            }
            Breakage::UnknownSessionResultsAreEmpty => {
                let result = session_route(&req, Method::GET)
                    .filter(|(_, rest)| {
                        matches!(rest.as_str(), "decision" | "person" | "watchlist-screening")
                    })
                    .map(|(_, rest)| rest);
                let res = call(next, req).await;
                match result {
                    Some(rest) if res.status == StatusCode::NOT_FOUND => {
                        let body = if rest == "decision" {
                            json!({"status": "success", "verification": null})
                        } else {
                            json!({"status": "success"})
                        };
                        Res::signed_json(StatusCode::OK, &body, &self.api_key, secret)
                    }
                    _ => res,
                }
            }
            Breakage::DeletingAnUnknownSessionSucceeds => {
                let deleted = delete_id(&req);
                let res = call(next, req).await;
                match deleted {
                    Some(id) if res.status == StatusCode::NOT_FOUND => self.deleted_body(&id),
                    _ => res,
                }
            }
            Breakage::DeleteBodyWithoutId => {
                let is_delete = delete_id(&req).is_some();
                let mut res = call(next, req).await;
                if is_delete && res.status == StatusCode::OK {
                    res.edit_json(secret, |body| body["verification"] = json!({}));
                }
                res
            }
            Breakage::DeletedSessionLingers => match delete_id(&req) {
                Some(id) if id_signature_verifies(&req, secret, &id) => self.deleted_body(&id),
                _ => call(next, req).await,
            },
            Breakage::SubmittedSessionDeletable => {
                let deleted = delete_id(&req);
                let res = call(next, req).await;
                match deleted {
                    Some(id) if fail_code(&res).as_deref() == Some("1305") => {
                        self.deleted_body(&id)
                    }
                    _ => res,
                }
            }
            Breakage::NotDeletableStatusUndocumented => {
                let mut res = call(next, req).await;
                if fail_code(&res).as_deref() == Some("1305") {
                    res.edit_json(secret, |body| body["status"] = json!("error"));
                }
                res
            }
            Breakage::UndecidedDecisionIsNotNull => {
                self.edit_result(next, req, "decision", |body| {
                    if body["verification"].is_null() {
                        body["verification"] = json!({});
                    }
                })
                .await
            }
            Breakage::DecisionCodeIsAString => {
                self.edit_result(next, req, "decision", |body| {
                    if let Some(code) = body["verification"]["code"].as_u64() {
                        body["verification"]["code"] = json!(code.to_string());
                    }
                })
                .await
            }
            Breakage::DecisionWithoutEndUserId => {
                self.edit_result(next, req, "decision", |body| {
                    if let Some(v) = body["verification"].as_object_mut() {
                        v.remove("endUserId");
                    }
                })
                .await
            }
            Breakage::DecisionAttemptIsNotTheNewest => {
                self.edit_result(next, req, "decision", |body| {
                    if body["verification"].is_object() {
                        body["verification"]["attemptId"] = json!(uuid::Uuid::new_v4().to_string());
                    }
                })
                .await
            }
            Breakage::DeclinedDecisionHasApprovedCode => {
                self.edit_result(next, req, "decision", |body| {
                    if body["verification"]["status"] == "declined" {
                        body["verification"]["code"] = json!(9001);
                    }
                })
                .await
            }
            Breakage::ResubmissionDecisionHasReviewCode => {
                self.edit_result(next, req, "decision", |body| {
                    if body["verification"]["status"] == "resubmission_requested" {
                        body["verification"]["code"] = json!(9121);
                    }
                })
                .await
            }
            Breakage::PersonWithoutPepSanctionMatches => {
                self.edit_result(next, req, "person", |body| {
                    if let Some(person) = body["person"].as_object_mut() {
                        person.remove("pepSanctionMatches");
                    }
                })
                .await
            }
            Breakage::WatchlistWithoutSessionId => {
                self.edit_result(next, req, "watchlist-screening", |body| {
                    if let Some(data) = body["data"].as_object_mut() {
                        data.remove("sessionId");
                    }
                })
                .await
            }
            Breakage::WatchlistNoMatchWithHits => {
                self.edit_result(next, req, "watchlist-screening", |body| {
                    if body["data"]["matchStatus"] == "no_match" {
                        body["data"]["hits"] = json!([{"matchedName": "Mari Maasikas"}]);
                    }
                })
                .await
            }
            Breakage::SessionMediaListDropsTheBack => {
                self.edit_result(next, req, "media", |body| {
                    if let Some(images) = body["images"].as_array_mut() {
                        images.retain(|image| image["context"] != "document-back");
                    }
                })
                .await
            }
            Breakage::DownloadedMediaAreNotImages => {
                let is_download = req.method == Method::GET && req.path.starts_with("/v1/media/");
                let mut res = call(next, req).await;
                if is_download && res.status == StatusCode::OK {
                    res.headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/octet-stream"),
                    );
                }
                res
            }
        }
    }

    /// Forwards, and edits the body of a successful submit response (signed again).
    async fn edit_submit_success(
        &self,
        next: Next,
        req: Req,
        edit: impl FnOnce(&mut Value),
    ) -> Res {
        let is_submit = req.submit_id().is_some();
        let mut res = call(next, req).await;
        if is_submit && res.status == StatusCode::OK {
            res.edit_json(&self.secret, edit);
        }
        res
    }
}

// --- suite2 breakages ---

impl Breaker {
    /// Forwards, and edits the body of a successful `GET
    /// /v1/sessions/{id}/<result>` (signed again).
    async fn edit_result(
        &self,
        next: Next,
        req: Req,
        result: &str,
        edit: impl FnOnce(&mut Value),
    ) -> Res {
        let matches = session_route(&req, Method::GET).is_some_and(|(_, rest)| rest == result);
        let mut res = call(next, req).await;
        if matches && res.status == StatusCode::OK {
            res.edit_json(&self.secret, edit);
        }
        res
    }

    /// The documented DELETE 200 body for session `id`, signed.
    fn deleted_body(&self, id: &str) -> Res {
        let body = json!({"status": "success", "verification": {"id": id}});
        Res::signed_json(StatusCode::OK, &body, &self.api_key, &self.secret)
    }
}

/// The id a GET or DELETE signs: the segment after `sessions`, `attempts` or
/// `media` in a `/v1/...` path.
fn path_id(path: &str) -> Option<String> {
    let mut segments = path.strip_prefix("/v1/")?.split('/');
    match segments.next()? {
        "sessions" | "attempts" | "media" => segments.next().map(str::to_string),
        _ => None,
    }
}

/// `(id, rest)` for `<method> /v1/sessions/{id}/<rest>`.
fn session_route(req: &Req, method: Method) -> Option<(String, String)> {
    let (id, rest) = req.path.strip_prefix("/v1/sessions/")?.split_once('/')?;
    (req.method == method).then(|| (id.to_string(), rest.to_string()))
}

/// The session id of `DELETE /v1/sessions/{id}`.
fn delete_id(req: &Req) -> Option<String> {
    let id = req.path.strip_prefix("/v1/sessions/")?;
    (req.method == Method::DELETE && !id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

/// Whether the request's `X-HMAC-SIGNATURE` is the HMAC of `id`.
fn id_signature_verifies(req: &Req, secret: &str, id: &str) -> bool {
    req.header(SIGNATURE_HEADER)
        .is_some_and(|sig| veriff_conformance::signing::verify(secret, id.as_bytes(), sig))
}

/// The `code` of an error body, if the response has one.
fn fail_code(res: &Res) -> Option<String> {
    res.json()?["code"].as_str().map(str::to_string)
}
