//! The authentication matrix's breakages: on one signed endpoint only, a
//! request with a foreign API key, without a signature, or with a signature
//! that does not verify is served as if its credentials were right. Every
//! other endpoint keeps the mock's own authentication, so a scenario that
//! fails under one of these checks that endpoint and no other.

use axum::http::Method;
use veriff_conformance::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign, verify};

use super::super::http::Req;
use super::path_id;

/// A signed endpoint of the suite (docs/veriff-api.md, section 2.3) but the
/// submit, whose authentication has breakages of its own in `breakages.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `DELETE /v1/sessions/{id}`
    Delete,
    /// `POST /v1/sessions/{id}/media`
    Upload,
    /// `GET /v1/sessions/{id}/media`
    SessionMedia,
    /// `GET /v1/attempts/{id}/media`
    AttemptMedia,
    /// `GET /v1/media/{id}`
    Download,
    /// `GET /v1/sessions/{id}/attempts`
    Attempts,
    /// `GET /v1/sessions/{id}/decision`
    Decision,
    /// `GET /v1/sessions/{id}/person`
    Person,
    /// `GET /v1/sessions/{id}/watchlist-screening`
    Watchlist,
}

impl Endpoint {
    /// The endpoint `req` is for, if it is a signed one.
    fn of(req: &Req) -> Option<Endpoint> {
        let segments: Vec<&str> = req.path.strip_prefix("/v1/")?.split('/').collect();
        let endpoint = match (&req.method, segments.as_slice()) {
            (&Method::DELETE, ["sessions", _]) => Endpoint::Delete,
            (&Method::POST, ["sessions", _, "media"]) => Endpoint::Upload,
            (&Method::GET, ["sessions", _, "media"]) => Endpoint::SessionMedia,
            (&Method::GET, ["attempts", _, "media"]) => Endpoint::AttemptMedia,
            (&Method::GET, ["media", _]) => Endpoint::Download,
            (&Method::GET, ["sessions", _, "attempts"]) => Endpoint::Attempts,
            (&Method::GET, ["sessions", _, "decision"]) => Endpoint::Decision,
            (&Method::GET, ["sessions", _, "person"]) => Endpoint::Person,
            (&Method::GET, ["sessions", _, "watchlist-screening"]) => Endpoint::Watchlist,
            _ => return None,
        };
        Some(endpoint)
    }
}

/// Which credential the endpoint stops checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lax {
    /// Any `X-AUTH-CLIENT` is taken for the right key.
    ForeignKey,
    /// A request without `X-HMAC-SIGNATURE` is taken as correctly signed.
    Unsigned,
    /// A signature that does not verify (another secret, another payload)
    /// is taken as correct.
    BadSignature,
}

/// Rewrites `req`, when it is for `endpoint`, so that the mock serves it as
/// if the credential `lax` names were right.
pub(super) fn serve_as_authentic(
    req: &mut Req,
    endpoint: Endpoint,
    lax: Lax,
    api_key: &str,
    secret: &str,
) {
    if Endpoint::of(req) != Some(endpoint) {
        return;
    }
    // POST and PATCH sign the body; GET and DELETE the id in the path.
    let message = match req.method {
        Method::POST | Method::PATCH => req.body.to_vec(),
        _ => path_id(&req.path).unwrap_or_default().into_bytes(),
    };
    let signature = req.header(SIGNATURE_HEADER).map(str::to_string);
    match lax {
        Lax::ForeignKey => {
            if req.header(API_KEY_HEADER).is_some_and(|k| k != api_key) {
                req.set_header(API_KEY_HEADER, api_key);
            }
        }
        Lax::Unsigned => {
            if signature.is_none() {
                req.set_header(SIGNATURE_HEADER, &sign(secret, &message));
            }
        }
        Lax::BadSignature => {
            if signature.is_some_and(|s| !verify(secret, &message, &s)) {
                req.set_header(SIGNATURE_HEADER, &sign(secret, &message));
            }
        }
    }
}
