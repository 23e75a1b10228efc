//! The breakages of create, media upload, the media lists, the download and
//! the attempts list (the suite1 part of [`Breakage`]). Each changes one
//! promise; a body it changes is signed again, as in `breakages.rs`.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use axum::body::Bytes;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use serde_json::{Value, json};
use veriff_conformance::signing::{
    API_KEY_HEADER, SIGNATURE_HEADER, path_id_in, session_id_in, sign, verify,
};

use super::super::http::{Req, Res, call};
use super::{Breakage, Breaker};

const VRF_AUTH_CLIENT: &str = "vrf-auth-client";
const VRF_SIGNATURE: &str = "vrf-hmac-signature";

/// What these breakages remember between requests.
#[derive(Default)]
pub(super) struct Memory {
    /// Ids of the sessions created so far.
    sessions: Mutex<HashSet<String>>,
    /// Ids of sessions the end user has opened.
    started: Mutex<HashSet<String>>,
    /// Session id to the `image` of every successful upload, in order.
    uploads: Mutex<HashMap<String, Vec<Value>>>,
}

/// The route a request is for, as far as these breakages care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Create,
    Open,
    Upload,
    SessionMedia,
    AttemptMedia,
    Download,
    Attempts,
    Decision,
    Other,
}

fn route(req: &Req) -> Route {
    let path = req.path.as_str();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (&req.method, segments.as_slice()) {
        (&Method::POST, ["v1", "sessions"]) => Route::Create,
        (&Method::GET, ["v", _]) => Route::Open,
        (&Method::POST, ["v1", "sessions", _, "media"]) => Route::Upload,
        (&Method::GET, ["v1", "sessions", _, "media"]) => Route::SessionMedia,
        (&Method::GET, ["v1", "attempts", _, "media"]) => Route::AttemptMedia,
        (&Method::GET, ["v1", "media", _]) => Route::Download,
        (&Method::GET, ["v1", "sessions", _, "attempts"]) => Route::Attempts,
        (&Method::GET, ["v1", "sessions", _, "decision"]) => Route::Decision,
        _ => Route::Other,
    }
}

/// A small valid upload body: a 3-byte JPEG start.
fn valid_upload() -> Vec<u8> {
    br#"{"image":{"context":"document-front","content":"data:image/jpeg;base64,/9j/"}}"#.to_vec()
}

impl Breaker {
    pub(super) async fn apply_sessions(&self, mut req: Req, next: Next) -> Res {
        let secret = self.secret.as_str();
        let route = route(&req);
        let session = session_id_in(&req.path).map(str::to_string);
        match self.breakage {
            Breakage::CreatedVendorDataDropped | Breakage::CreatedWithoutSessionToken => {
                let mut res = call(next, req).await;
                if route == Route::Create && res.status == StatusCode::CREATED {
                    res.edit_json(secret, |body| {
                        if self.breakage == Breakage::CreatedVendorDataDropped {
                            body["verification"]["vendorData"] = Value::Null
                        } else if let Some(v) = body["verification"].as_object_mut() {
                            v.remove("sessionToken");
                        }
                    });
                }
                res
            }
            Breakage::VendorDataLimitOffByOne => {
                let at_limit = req.json().is_some_and(|body| {
                    body["verification"]["vendorData"]
                        .as_str()
                        .is_some_and(|v| v.chars().count() >= 1000)
                });
                if route == Route::Create && at_limit {
                    return Res::fail(
                        StatusCode::BAD_REQUEST,
                        "1500",
                        "vendorData must be shorter than 1000 characters",
                    );
                }
                call(next, req).await
            }
            Breakage::LongVendorDataAccepted => {
                if route == Route::Create
                    && let Some(mut body) = req.json()
                    && let Some(v) = body["verification"]["vendorData"].as_str()
                    && v.chars().count() > 1000
                {
                    let cut: String = v.chars().take(1000).collect();
                    body["verification"]["vendorData"] = json!(cut);
                    req.body = Bytes::from(body.to_string());
                }
                call(next, req).await
            }
            Breakage::NonStringVendorDataAccepted => {
                if route == Route::Create
                    && let Some(mut body) = req.json()
                    && let Some(v) = body["verification"].get("vendorData")
                    && !v.is_string()
                    && !v.is_null()
                {
                    body["verification"]["vendorData"] = json!(v.to_string());
                    req.body = Bytes::from(body.to_string());
                }
                call(next, req).await
            }
            Breakage::MissingVerificationIsAnInvalidParameter => {
                let missing = req
                    .json()
                    .is_some_and(|body| body.is_object() && body.get("verification").is_none());
                if route == Route::Create && missing {
                    return Res::fail(
                        StatusCode::BAD_REQUEST,
                        "1104",
                        "Request contains invalid parameters",
                    );
                }
                call(next, req).await
            }
            Breakage::EndUserIdNotEchoed => {
                let mut res = call(next, req).await;
                if route == Route::Decision && res.status == StatusCode::OK {
                    res.edit_json(secret, |body| {
                        if body["verification"].is_object() {
                            body["verification"]["endUserId"] = Value::Null;
                        }
                    });
                }
                res
            }
            Breakage::CreatedSessionRefusesMedia | Breakage::StartedSessionRefusesMedia => {
                if route == Route::Upload
                    && let Some(id) = &session
                {
                    let started = self.memory.started.lock().expect("lock").contains(id);
                    let refuse = match self.breakage {
                        Breakage::CreatedSessionRefusesMedia => !started,
                        _ => started,
                    };
                    if refuse {
                        return Res::fail(StatusCode::CONFLICT, "1101", "Conflict");
                    }
                }
                let res = call(next, req).await;
                if route == Route::Open
                    && let Some(body) = res.json()
                    && body["verification"]["status"] == "started"
                    && let Some(id) = body["verification"]["id"].as_str()
                {
                    self.memory
                        .started
                        .lock()
                        .expect("lock")
                        .insert(id.to_string());
                }
                res
            }
            Breakage::BadUploadsAccepted => {
                let mut retry = req.clone();
                let res = call(next.clone(), req).await;
                if route == Route::Upload && res.status == StatusCode::BAD_REQUEST {
                    retry.set_signed_body(secret, valid_upload());
                    return call(next, retry).await;
                }
                res
            }
            Breakage::UploadErrorCodesSwapped => {
                let mut res = call(next, req).await;
                if route == Route::Upload && res.status == StatusCode::BAD_REQUEST {
                    res.edit_json(secret, |body| {
                        let swapped = match body["code"].as_str() {
                            Some("1400") => "1401",
                            Some("1401") => "1400",
                            Some("1402") => "1403",
                            Some("1403") => "1402",
                            _ => return,
                        };
                        body["code"] = json!(swapped);
                    });
                }
                res
            }
            Breakage::RejectedUploadStillStored => {
                let mut retry = req.clone();
                let res = call(next.clone(), req).await;
                if route == Route::Upload && res.status == StatusCode::UNAUTHORIZED {
                    retry.set_header(API_KEY_HEADER, &self.api_key);
                    retry.sign(secret);
                    let _stored = call(next, retry).await;
                }
                res
            }
            Breakage::SignaturesNotVerifiedOffSubmit => {
                if req.header(SIGNATURE_HEADER).is_some() {
                    match route {
                        Route::Upload => req.sign(secret),
                        Route::SessionMedia
                        | Route::AttemptMedia
                        | Route::Download
                        | Route::Attempts
                        | Route::Decision => {
                            let id = path_id_in(&req.path).unwrap_or_default().to_string();
                            req.set_header(SIGNATURE_HEADER, &sign(secret, id.as_bytes()));
                        }
                        _ => {}
                    }
                }
                call(next, req).await
            }
            Breakage::UnknownIdIsAServerError => {
                let res = call(next, req).await;
                if res.status == StatusCode::NOT_FOUND {
                    return Res::fail(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "1101",
                        "Something went wrong",
                    );
                }
                res
            }
            Breakage::MediaTimestampEchoed | Breakage::MediaSizeIsBase64Length => {
                let mut res = call(next, req).await;
                let is_list = matches!(route, Route::SessionMedia | Route::AttemptMedia);
                if is_list && res.status == StatusCode::OK {
                    let breakage = self.breakage;
                    res.edit_json(secret, |body| {
                        let Some(images) = body["images"].as_array_mut() else {
                            return;
                        };
                        for image in images {
                            if breakage == Breakage::MediaTimestampEchoed {
                                image["timestamp"] = json!("2024-01-01T00:00:00.000Z");
                            } else if let Some(size) = image["size"].as_u64() {
                                image["size"] = json!(size.div_ceil(3) * 4);
                            }
                        }
                    });
                }
                res
            }
            Breakage::SessionMediaListsEveryAttempt => {
                let mut res = call(next, req).await;
                let Some(id) = session else { return res };
                let ok = res.status.is_success();
                if route == Route::Upload
                    && ok
                    && let Some(body) = res.json()
                {
                    let mut uploads = self.memory.uploads.lock().expect("lock");
                    uploads.entry(id).or_default().push(body["image"].clone());
                } else if route == Route::SessionMedia && ok {
                    let all = self.memory.uploads.lock().expect("lock").get(&id).cloned();
                    if let Some(all) = all {
                        res.edit_json(secret, |body| body["images"] = json!(all));
                    }
                }
                res
            }
            Breakage::MediaRoutesSignedBySessionId => {
                if route == Route::Create {
                    let res = call(next, req).await;
                    if let Some(body) = res.json()
                        && let Some(id) = body["verification"]["id"].as_str()
                    {
                        self.memory
                            .sessions
                            .lock()
                            .expect("lock")
                            .insert(id.to_string());
                    }
                    return res;
                }
                if matches!(route, Route::AttemptMedia | Route::Download)
                    && let Some(signature) = req.header(SIGNATURE_HEADER).map(str::to_string)
                {
                    let over_a_session = self
                        .memory
                        .sessions
                        .lock()
                        .expect("lock")
                        .iter()
                        .any(|id| verify(secret, id.as_bytes(), &signature));
                    if !over_a_session {
                        return Res::fail(
                            StatusCode::UNAUTHORIZED,
                            "1812",
                            "Invalid HMAC signature",
                        );
                    }
                    let id = path_id_in(&req.path).unwrap_or_default().to_string();
                    req.set_header(SIGNATURE_HEADER, &sign(secret, id.as_bytes()));
                }
                call(next, req).await
            }
            Breakage::DownloadTypedOctetStream
            | Breakage::DownloadTruncated
            | Breakage::DownloadOtherBytes
            | Breakage::DownloadWithoutVrfHeaders
            | Breakage::DownloadVrfSignatureDiffers
            | Breakage::DownloadVrfAuthClientDiffers => {
                let media_id = path_id_in(&req.path).unwrap_or_default().to_string();
                let mut res = call(next, req).await;
                if route == Route::Download && res.status == StatusCode::OK {
                    self.break_download(&mut res, &media_id);
                }
                res
            }
            Breakage::AttemptsWithoutStatus | Breakage::AttemptsOldestFirst => {
                let mut res = call(next, req).await;
                if route == Route::Attempts && res.status == StatusCode::OK {
                    let breakage = self.breakage;
                    res.edit_json(secret, |body| {
                        let Some(attempts) = body["verifications"].as_array_mut() else {
                            return;
                        };
                        if breakage == Breakage::AttemptsOldestFirst {
                            attempts.reverse();
                        } else {
                            for attempt in attempts.iter_mut().filter_map(Value::as_object_mut) {
                                attempt.remove("status");
                            }
                        }
                    });
                }
                res
            }
            Breakage::HttpCallbackAccepted => {
                if route == Route::Create
                    && let Some(mut body) = req.json()
                    && let Some(callback) = body["verification"]["callback"].as_str()
                    && let Some(rest) = callback.strip_prefix("http://")
                {
                    body["verification"]["callback"] = json!(format!("https://{rest}"));
                    req.body = Bytes::from(body.to_string());
                }
                call(next, req).await
            }
            other => unreachable!("{other:?} is not a suite1 breakage"),
        }
    }

    /// Breaks a successful download's headers or bytes.
    fn break_download(&self, res: &mut Res, media_id: &str) {
        let secret = self.secret.as_str();
        let header_of = |text: &str| HeaderValue::from_str(text).expect("header value");
        match self.breakage {
            Breakage::DownloadTypedOctetStream => {
                res.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/octet-stream"),
                );
            }
            Breakage::DownloadTruncated => {
                res.body = res.body.slice(..res.body.len() / 2);
                let signature = sign(secret, &res.body);
                res.headers.insert(SIGNATURE_HEADER, header_of(&signature));
                res.headers.insert(VRF_SIGNATURE, header_of(&signature));
            }
            Breakage::DownloadOtherBytes => {
                // As many bytes as uploaded, correctly signed, but not the same.
                let mut bytes = res.body.to_vec();
                if let Some(last) = bytes.last_mut() {
                    *last ^= 0xff;
                }
                res.body = bytes.into();
                let signature = sign(secret, &res.body);
                res.headers.insert(SIGNATURE_HEADER, header_of(&signature));
                res.headers.insert(VRF_SIGNATURE, header_of(&signature));
            }
            Breakage::DownloadWithoutVrfHeaders => {
                res.headers.remove(VRF_AUTH_CLIENT);
                res.headers.remove(VRF_SIGNATURE);
            }
            Breakage::DownloadVrfSignatureDiffers => {
                let signature = sign(secret, media_id.as_bytes());
                res.headers.insert(VRF_SIGNATURE, header_of(&signature));
            }
            Breakage::DownloadVrfAuthClientDiffers => {
                res.headers.insert(
                    VRF_AUTH_CLIENT,
                    HeaderValue::from_static("00000000-0000-4000-8000-000000000000"),
                );
            }
            _ => {}
        }
    }
}
