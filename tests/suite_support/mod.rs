//! Shared helpers for the `suite_*` tests: the embedded mock served behind a
//! middleware that breaks one documented promise ([`Breakage`]), and helpers to
//! run one embedded scenario and read the failure it reports.
//!
//! The middleware sits in front of the mock's real router, so everything it
//! does not break is the mock's own behaviour. When it changes a body that the
//! mock had signed it signs the new bytes again with the mock's shared
//! secret, so that only the named promise breaks.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use veriff_conformance::check::{CheckKind, Mismatch};
use veriff_conformance::exec::runner::Runner;
use veriff_conformance::exec::target::Target;
use veriff_conformance::mask::Masker;
use veriff_conformance::mock::{MockConfig, router};
use veriff_conformance::report::message;
use veriff_conformance::report::text::excerpt;
use veriff_conformance::results::{Failure, Outcome, ScenarioResult};
use veriff_conformance::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign, verify};
use veriff_conformance::spec::discover::load_embedded;
use veriff_conformance::spec::model::Scenario;

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
    /// A `verification` without `status` gets 400 code 1102 "Mandatory
    /// parameters are missing from the request." instead of 1101.
    MissingStatusIsAMissingParameter,
    /// A `verification` that is not an object crashes the server: the documented 500.
    NonObjectVerificationCrashes,
    /// An empty submit body gets 400 "Request body is not valid JSON".
    EmptyBodyIsNotJson,
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
}

/// The embedded mock, served with one breakage in front of its router.
pub struct BrokenMock {
    base_url: String,
    config: MockConfig,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for BrokenMock {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl BrokenMock {
    /// Serves a fresh mock (fresh credentials) on 127.0.0.1 with `breakage`.
    pub async fn start(breakage: Breakage) -> BrokenMock {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let config = MockConfig::generated();
        let breaker = Arc::new(Breaker {
            breakage,
            api_key: config.api_key.clone(),
            secret: config.shared_secret.clone(),
            submitted: Mutex::default(),
            started: Mutex::default(),
        });
        let app = router(config.clone(), base_url.clone())
            .layer(middleware::from_fn_with_state(breaker, breaking));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        BrokenMock {
            base_url,
            config,
            stop: Some(stop),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A target for it. The mock's controls still work through the breakage,
    /// so `requires: [mock]` scenarios run.
    pub fn target(&self) -> Target {
        target(&self.base_url, &self.config, true)
    }

    /// Hides this mock's credentials.
    pub fn masker(&self) -> Masker {
        Masker::new([&self.config.api_key, &self.config.shared_secret])
    }

    pub fn config(&self) -> &MockConfig {
        &self.config
    }
}

/// A target with the mock's credentials.
pub fn target(base_url: &str, config: &MockConfig, is_mock: bool) -> Target {
    Target {
        base_url: base_url.to_string(),
        api_key: config.api_key.clone(),
        shared_secret: config.shared_secret.clone(),
        timeout: Duration::from_secs(10),
        is_mock,
        allow_insecure_http: false,
    }
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
}

/// A request, read completely.
#[derive(Clone)]
struct Req {
    method: Method,
    path: String,
    parts: axum::http::request::Parts,
    body: Bytes,
}

impl Req {
    async fn read(request: Request) -> Req {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        Req {
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            parts,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn set_header(&mut self, name: &'static str, value: &str) {
        self.parts
            .headers
            .insert(name, HeaderValue::from_str(value).expect("header value"));
    }

    /// The session id when this is `PATCH /v1/sessions/{id}`.
    fn submit_id(&self) -> Option<String> {
        let id = self.path.strip_prefix("/v1/sessions/")?;
        (self.method == Method::PATCH && !id.is_empty() && !id.contains('/'))
            .then(|| id.to_string())
    }

    fn is_media(&self) -> bool {
        self.method == Method::POST
            && self.path.starts_with("/v1/sessions/")
            && self.path.ends_with("/media")
    }

    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    fn signature_verifies(&self, secret: &str) -> bool {
        self.header(SIGNATURE_HEADER)
            .is_some_and(|sig| verify(secret, &self.body, sig))
    }

    /// Replaces the body and signs it correctly.
    fn set_signed_body(&mut self, secret: &str, body: Vec<u8>) {
        self.body = Bytes::from(body);
        self.sign(secret);
    }

    /// Signs the body correctly, as if the sender had.
    fn sign(&mut self, secret: &str) {
        let signature = sign(secret, &self.body);
        self.set_header(SIGNATURE_HEADER, &signature);
    }

    fn into_request(mut self) -> Request {
        self.parts.headers.remove(header::CONTENT_LENGTH);
        if !self.body.is_empty() {
            self.parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(self.body.len()));
        }
        Request::from_parts(self.parts, Body::from(self.body))
    }
}

/// A response, read completely.
#[derive(Clone)]
struct Res {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Res {
    async fn read(response: Response) -> Res {
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        Res {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// An unsigned JSON fail body, as the mock sends its errors.
    fn fail(status: StatusCode, code: &str, message: &str) -> Res {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let body = json!({"status": "fail", "code": code, "message": message});
        Res {
            status,
            headers,
            body: Bytes::from(body.to_string()),
        }
    }

    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The fail body's message, if this is one.
    fn fail_message(&self) -> Option<String> {
        let body = self.json()?;
        (body["status"] == "fail")
            .then(|| body["message"].as_str().map(str::to_string))
            .flatten()
    }

    /// Rewrites the JSON body; a signed response is signed again over the new bytes.
    fn edit_json(&mut self, secret: &str, edit: impl FnOnce(&mut Value)) {
        let Some(mut body) = self.json() else { return };
        edit(&mut body);
        self.body = Bytes::from(serde_json::to_vec(&body).expect("serialize"));
        if self.headers.contains_key(SIGNATURE_HEADER) {
            let signature = sign(secret, &self.body);
            self.headers.insert(
                SIGNATURE_HEADER,
                HeaderValue::from_str(&signature).expect("hex"),
            );
        }
    }

    /// Replaces the body with `body`, signed with `secret` like the mock's successes.
    fn signed_json(status: StatusCode, body: &Value, api_key: &str, secret: &str) -> Res {
        let bytes = serde_json::to_vec(body).expect("serialize");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(API_KEY_HEADER, HeaderValue::from_str(api_key).expect("key"));
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&sign(secret, &bytes)).expect("hex"),
        );
        Res {
            status,
            headers,
            body: Bytes::from(bytes),
        }
    }

    fn into_response(mut self) -> Response {
        self.headers.remove(header::CONTENT_LENGTH);
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

async fn call(next: Next, req: Req) -> Res {
    Res::read(next.run(req.into_request()).await).await
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
            Breakage::Nothing => call(next, req).await,
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
            Breakage::MissingStatusIsAMissingParameter => {
                let no_status = req.json().is_some_and(|body| {
                    body["verification"]
                        .as_object()
                        .is_some_and(|v| !v.contains_key("status"))
                });
                if is_submit && no_status && req.signature_verifies(secret) {
                    return Res::fail(
                        StatusCode::BAD_REQUEST,
                        "1102",
                        "Mandatory parameters are missing from the request.",
                    );
                }
                call(next, req).await
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
            Breakage::EmptyBodyIsNotJson => {
                let empty_body = is_submit && req.body.is_empty();
                let mut res = call(next, req).await;
                // The mock answers an empty submit body with "Validation failed";
                // this server words it like its other unparsable bodies.
                if empty_body && res.fail_message().as_deref() == Some("Validation failed") {
                    res.edit_json(secret, |body| {
                        body["message"] = json!("Request body is not valid JSON");
                    });
                }
                res
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
            Breakage::ResponseWithoutApiKeyHeader => {
                let mut res = call(next, req).await;
                if is_submit && res.status == StatusCode::OK {
                    res.headers.remove(API_KEY_HEADER);
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

/// The embedded scenario with this trial name.
#[track_caller]
pub fn scenario(trial_name: &str) -> Scenario {
    let loaded = load_embedded();
    assert!(loaded.errors.is_empty(), "the embedded suite has errors");
    loaded
        .scenarios
        .into_iter()
        .find(|s| s.trial_name == trial_name)
        .unwrap_or_else(|| panic!("no embedded scenario is named {trial_name}"))
}

/// Runs one scenario against `target`.
pub async fn run(scenario: &Scenario, target: Target) -> ScenarioResult {
    Runner::new(target).expect("runner").run(scenario).await
}

/// A scenario's failure and the message a user reads for it.
pub struct Reported {
    pub failure: Failure,
    pub text: String,
    masker: Masker,
}

/// Runs `trial_name` against a mock with `breakage` and returns its failure;
/// panics, with the outcome, when the scenario did not fail. Checks on the way
/// that the message shows neither the API key nor the shared secret.
pub async fn failure_of(trial_name: &str, breakage: Breakage) -> Reported {
    let mock = BrokenMock::start(breakage).await;
    let scenario = scenario(trial_name);
    let result = run(&scenario, mock.target()).await;
    let masker = mock.masker();
    let failure = match result.outcome {
        Outcome::Failed(failure) => *failure,
        Outcome::Errored(error) => panic!(
            "{trial_name} errored instead of failing against {breakage:?}:\n{}",
            message::error(&scenario.file, &error, &masker)
        ),
        other => panic!("{trial_name} did not fail against {breakage:?}: {other:?}"),
    };
    let text = message::failure(&scenario.file, &failure, &masker);
    for secret in [&mock.config().api_key, &mock.config().shared_secret] {
        assert!(!text.contains(secret.as_str()), "a secret leaked:\n{text}");
    }
    Reported {
        failure,
        text,
        masker,
    }
}

impl Reported {
    /// Asserts the failing step, by 1-based number and name, and that the
    /// message's first line names it.
    #[track_caller]
    pub fn in_step(&self, number: usize, name: &str) -> &Self {
        let header = format!("in step {number} \"{name}\"");
        assert!(
            self.text
                .lines()
                .next()
                .is_some_and(|l| l.contains(&header)),
            "expected the failure {header}, got:\n{}",
            self.text
        );
        assert_eq!(
            (self.failure.step.number, self.failure.step.name.as_str()),
            (number, name)
        );
        self
    }

    /// Asserts an unmet expectation of this kind at `path` whose expected and
    /// actual values contain these fragments, and that the message shows it
    /// as `<check> <path>`, `expected: ...`, `actual: ...` (values masked and
    /// shortened as the message shortens them).
    #[track_caller]
    pub fn says(&self, check: CheckKind, path: &str, expected: &str, actual: &str) -> &Self {
        let found: Option<&Mismatch> = self.failure.mismatches.iter().find(|m| {
            m.check == check
                && m.path == path
                && m.expected.contains(expected)
                && m.actual.contains(actual)
        });
        let Some(m) = found else {
            panic!(
                "no {} mismatch at `{path}` expecting {expected:?} and showing {actual:?}; the message was:\n{}",
                check.name(),
                self.text
            );
        };
        let what = if path.is_empty() {
            check.name().to_string()
        } else {
            format!("{} {path}", check.name())
        };
        let shown = |value: &str| excerpt(&self.masker.mask(value), message::MAX_VALUE_SHOWN);
        let block = format!(
            "{what}\n       expected: {}\n       actual:   {}",
            shown(&m.expected),
            shown(&m.actual)
        );
        assert!(
            self.text.contains(&block),
            "the message does not show\n{block}\nit was:\n{}",
            self.text
        );
        self
    }

    /// Asserts that the message contains `fragment`.
    #[track_caller]
    pub fn shows(&self, fragment: &str) -> &Self {
        assert!(
            self.text.contains(fragment),
            "the message does not show {fragment:?}; it was:\n{}",
            self.text
        );
        self
    }

    /// Asserts that nothing of `check` kind is reported (the breakage broke only what it names).
    #[track_caller]
    pub fn nothing_about(&self, check: CheckKind) -> &Self {
        assert!(
            !self.failure.mismatches.iter().any(|m| m.check == check),
            "unexpected {} mismatch in:\n{}",
            check.name(),
            self.text
        );
        self
    }

    /// Asserts exactly this many unmet expectations.
    #[track_caller]
    pub fn count(&self, n: usize) -> &Self {
        assert_eq!(self.failure.mismatches.len(), n, "{}", self.text);
        self
    }
}
