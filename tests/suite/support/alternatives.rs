//! Servers that answer the other way Veriff's docs allow ([`Alternative`]):
//! where two pages disagree, the answer of the page the mock does not follow;
//! where the docs are silent or say "can", an answer the mock does not give.
//! Each is the embedded mock with a layer that rewrites its answers, and the
//! whole suite must pass against each (warnings allowed).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::{Value, json};
use veriff_conformance::mock::{MockConfig, MockServerBuilder};
use veriff_conformance::signing::{API_KEY_HEADER, SIGNATURE_HEADER};

use super::http::{Req, Res, call};

/// One documented way of answering that the mock does not take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    /// The credentials table's codes (docs/veriff-api.md, section 3.2): a
    /// missing key is 1801 (its message without the final period, as the
    /// download page writes it), a signature that is not a hash is 1812 "not
    /// a valid SHA256 hash", one that does not verify is 1819 over a body and
    /// 1818 over an id, and a missing one is 1815.
    CredentialsTableCodes,
    /// The troubleshooting table's codes (section 3.3): every signature that
    /// does not verify is 1815; a submit without a status or with an empty
    /// body is 1102 (mandatory parameters missing), one whose verification is
    /// not an object 1104 (invalid parameters).
    TroubleshootingCodes,
    /// Media lists leave out each of `images`, `videos` and `nfcDocuments`
    /// that is empty: a list "can contain" them (section 4.5).
    ListsLeaveOutEmptyArrays,
    /// Every DELETE error body has `status` as the number of its HTTP status,
    /// as the DELETE page's 400 does (section 4.3).
    DeleteErrorsWithNumericStatus,
    /// Every DELETE error body has `status: "fail"`, as the common status
    /// codes give every error (section 3.1), the 400 included.
    DeleteErrorsWithFailStatus,
    /// Downloads carry no `vrf-auth-client` and `vrf-hmac-signature`: the
    /// current download page lists only the `x-` pair (section 4.6).
    DownloadsWithoutVrfHeaders,
    /// The create answer has only what the create page documents (section
    /// 4.1): `status` as the status table gives it (`created`), and a
    /// verification with `id`, `url` and `sessionToken`; no `host`,
    /// `vendorData` or `status`.
    CreateAnswersOnlyDocumentedFields,
    /// PATCH's 200 has no `x-auth-client` and no `x-hmac-signature`: the
    /// current submit page lists no response headers (section 2.4).
    SubmitAnswersUnsigned,
}

impl Alternative {
    /// Every alternative.
    pub const ALL: [Alternative; 8] = [
        Alternative::CredentialsTableCodes,
        Alternative::TroubleshootingCodes,
        Alternative::ListsLeaveOutEmptyArrays,
        Alternative::DeleteErrorsWithNumericStatus,
        Alternative::DeleteErrorsWithFailStatus,
        Alternative::DownloadsWithoutVrfHeaders,
        Alternative::CreateAnswersOnlyDocumentedFields,
        Alternative::SubmitAnswersUnsigned,
    ];
}

/// Adds the layer that answers `alternative` to `builder`, for a mock that
/// runs with `config` (it signs rewritten bodies with the config's secret).
pub fn add(
    builder: MockServerBuilder,
    alternative: Alternative,
    config: &MockConfig,
) -> MockServerBuilder {
    let answering = Arc::new(Answering {
        alternative,
        secret: config.shared_secret.clone(),
    });
    builder.layer(middleware::from_fn_with_state(answering, answer))
}

struct Answering {
    alternative: Alternative,
    secret: String,
}

async fn answer(State(a): State<Arc<Answering>>, request: Request, next: Next) -> Response {
    let req = Req::read(request).await;
    a.apply(req, next).await.into_response()
}

/// The `code` of a fail body.
fn code(res: &Res) -> Option<String> {
    res.json()?["code"].as_str().map(str::to_string)
}

/// What a request's `X-HMAC-SIGNATURE` is: missing, not a hash, or a hash.
enum Signed {
    Missing,
    NotAHash,
    AHash,
}

fn signed(req: &Req) -> Signed {
    match req.header(SIGNATURE_HEADER) {
        None => Signed::Missing,
        Some(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => Signed::AHash,
        Some(_) => Signed::NotAHash,
    }
}

impl Answering {
    async fn apply(&self, req: Req, next: Next) -> Res {
        let secret = self.secret.as_str();
        let is_submit = req.submit_id().is_some();
        let is_delete = req.method == Method::DELETE;
        let is_list = req.method == Method::GET && req.path.ends_with("/media");
        let is_download = req.method == Method::GET && req.path.starts_with("/v1/media/");
        let is_create = req.method == Method::POST && req.path == "/v1/sessions";
        let has_body = matches!(req.method, Method::POST | Method::PATCH);
        let has_key = req.header(API_KEY_HEADER).is_some();
        let how_signed = signed(&req);
        let submitted = req.json();
        let mut res = call(next, req).await;
        let unauthorized = res.status == StatusCode::UNAUTHORIZED;
        let set = |res: &mut Res, code: &str, message: &str| {
            res.edit_json(secret, |body| {
                body["code"] = json!(code);
                body["message"] = json!(message);
            })
        };
        match self.alternative {
            Alternative::CredentialsTableCodes if unauthorized => {
                if !has_key {
                    set(
                        &mut res,
                        "1801",
                        "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request",
                    );
                } else if code(&res).as_deref() == Some("1812") {
                    match how_signed {
                        Signed::Missing => set(&mut res, "1815", "Could not authenticate request"),
                        Signed::NotAHash => {
                            set(&mut res, "1812", "Signature is not a valid SHA256 hash")
                        }
                        Signed::AHash if has_body => set(
                            &mut res,
                            "1819",
                            "Signature does not match the HMAC-SHA256 of request body and integration API secret",
                        ),
                        Signed::AHash => set(
                            &mut res,
                            "1818",
                            "Signature does not match the HMAC-SHA256 of query ID and integration API secret",
                        ),
                    }
                }
            }
            Alternative::TroubleshootingCodes => {
                if unauthorized && code(&res).as_deref() == Some("1812") {
                    set(
                        &mut res,
                        "1815",
                        "Could not authenticate request, please use the correct and full request body",
                    );
                }
                let invalid_submit = is_submit
                    && res.status == StatusCode::BAD_REQUEST
                    && res.fail_message().as_deref() == Some("Validation failed");
                if invalid_submit {
                    let verification = submitted.as_ref().and_then(|b| b.get("verification"));
                    match verification {
                        // Another status value: the page's own 1101 stays.
                        Some(Value::Object(v)) if v.contains_key("status") => {}
                        Some(Value::Object(_)) | None => set(
                            &mut res,
                            "1102",
                            "Mandatory parameters are missing from the request.",
                        ),
                        Some(_) => set(&mut res, "1104", "Request has invalid parameters."),
                    }
                }
            }
            Alternative::ListsLeaveOutEmptyArrays if is_list && res.status == StatusCode::OK => {
                res.edit_json(secret, |body| {
                    if let Some(list) = body.as_object_mut() {
                        list.retain(|key, value| {
                            !(["images", "videos", "nfcDocuments"].contains(&key.as_str())
                                && value.as_array().is_some_and(Vec::is_empty))
                        });
                    }
                });
            }
            Alternative::DeleteErrorsWithNumericStatus
                if is_delete && res.status.is_client_error() =>
            {
                let status = res.status.as_u16();
                res.edit_json(secret, |body| body["status"] = json!(status));
            }
            Alternative::DeleteErrorsWithFailStatus
                if is_delete && res.status.is_client_error() =>
            {
                res.edit_json(secret, |body| body["status"] = json!("fail"));
            }
            Alternative::DownloadsWithoutVrfHeaders if is_download => {
                res.headers.remove("vrf-auth-client");
                res.headers.remove("vrf-hmac-signature");
            }
            Alternative::CreateAnswersOnlyDocumentedFields
                if is_create && res.status == StatusCode::CREATED =>
            {
                res.edit_json(secret, |body| {
                    body["status"] = json!("created");
                    if let Some(v) = body["verification"].as_object_mut() {
                        v.retain(|key, _| ["id", "url", "sessionToken"].contains(&key.as_str()));
                    }
                });
            }
            Alternative::SubmitAnswersUnsigned if is_submit && res.status == StatusCode::OK => {
                res.headers.remove(API_KEY_HEADER);
                res.headers.remove(SIGNATURE_HEADER);
            }
            _ => {}
        }
        res
    }
}
