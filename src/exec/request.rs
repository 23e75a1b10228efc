//! Building a step's request: URL, body bytes, default headers and the
//! signature over the exact bytes that are sent.

use std::ops::Range;

use super::target::{Target, check_url};
use crate::record::env::{Env, RenderError};
use crate::record::exchange::SentRequest;
use crate::scenario::model::{RequestBody, SignMode, Step};
use crate::signing::{API_KEY_HEADER, SIGNATURE_HEADER, path_id_in, session_id_in, sign};

/// A step's request could not be built: what and where in the spec.
#[derive(Debug, Clone)]
pub struct BuildError {
    /// What is wrong.
    pub message: String,
    /// Where in the spec (byte range).
    pub at: Range<usize>,
}

fn render_error(e: RenderError, at: &Range<usize>) -> BuildError {
    BuildError {
        message: format!("cannot fill in {e}"),
        at: at.clone(),
    }
}

/// `value` if HTTP can carry it as a header value. Checked here so that a line
/// break in a spec's header (or in a captured value put in one) is a spec error
/// pointing at it, not an HTTP client "builder error" reported as a network error.
fn header_value(name: &str, value: String, at: &Range<usize>) -> Result<String, BuildError> {
    match reqwest::header::HeaderValue::from_str(&value) {
        Ok(_) => Ok(value),
        Err(_) => Err(BuildError {
            message: format!(
                "the value of header `{name}` cannot be sent: header values are visible ASCII characters, spaces and tabs, without line breaks"
            ),
            at: at.clone(),
        }),
    }
}

fn is_session_create(method: &reqwest::Method, path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    method == reqwest::Method::POST && path.trim_end_matches('/').ends_with("/v1/sessions")
}

/// Builds the request of `step` for `target`.
///
/// The body is serialized once; the signature is computed over those bytes
/// (or over what a negative signing mode names), and those bytes are sent.
pub fn build(step: &Step, env: &Env, target: &Target) -> Result<Built, BuildError> {
    let path = env
        .render_string(&step.path.value, None)
        .map_err(|e| render_error(e, &step.path.at))?;
    let url = if path.starts_with("http://") || path.starts_with("https://") {
        path.clone()
    } else {
        format!("{}{}", target.base_url.trim_end_matches('/'), path)
    };
    // What is recorded (and shown) is the URL as it goes on the wire.
    let parsed = check_url(&url, target.allow_insecure_http).map_err(|message| BuildError {
        message,
        at: step.path.at.clone(),
    })?;
    let url = parsed.to_string();

    let body: Option<Vec<u8>> = match &step.body {
        RequestBody::None => None,
        RequestBody::Json(t) => {
            let value = env
                .render_json(&t.value)
                .map_err(|e| render_error(e, &t.at))?;
            Some(serde_json::to_vec(&value).map_err(|e| BuildError {
                message: format!("cannot serialize the body: {e}"),
                at: t.at.clone(),
            })?)
        }
        RequestBody::Raw(t) => Some(
            env.render_string(&t.value, None)
                .map_err(|e| render_error(e, &t.at))?
                .into_bytes(),
        ),
    };
    let bytes = body.as_deref().unwrap_or_default();

    let sign_at = &step.sign.at;
    let id_in = |find: fn(&str) -> Option<&str>, what: &str| {
        find(&path).ok_or_else(|| BuildError {
            message: format!("cannot sign the {what}: `{path}` has no id to sign"),
            at: sign_at.clone(),
        })
    };
    // What Veriff's rule signs: the body for POST and PATCH, the id in the
    // path for GET and DELETE, nothing for `POST /v1/sessions`.
    let auto: Option<&[u8]> = match step.method.as_str() {
        "GET" | "DELETE" => path_id_in(&path).map(str::as_bytes),
        "POST" if is_session_create(&step.method, &path) => None,
        "POST" | "PATCH" | "PUT" => Some(bytes),
        _ => None,
    };
    let signature = match &step.sign.value {
        SignMode::Auto => auto.map(|payload| sign(&target.shared_secret, payload)),
        SignMode::Body => Some(sign(&target.shared_secret, bytes)),
        SignMode::SessionId => Some(sign(
            &target.shared_secret,
            id_in(session_id_in, "session id")?.as_bytes(),
        )),
        SignMode::PathId => Some(sign(
            &target.shared_secret,
            id_in(path_id_in, "id in the path")?.as_bytes(),
        )),
        SignMode::Payload(t) => {
            let payload = env
                .render_string(t, None)
                .map_err(|e| render_error(e, sign_at))?;
            Some(sign(&target.shared_secret, payload.as_bytes()))
        }
        SignMode::None => None,
        SignMode::WrongSecret => {
            // The right message (what `auto` signs, else the body) under another secret.
            let wrong = format!("not-the-{}-secret", target.shared_secret.len());
            Some(sign(&wrong, auto.unwrap_or(bytes)))
        }
        SignMode::Value(t) => {
            let value = env
                .render_string(t, None)
                .map_err(|e| render_error(e, sign_at))?;
            Some(header_value(SIGNATURE_HEADER, value, sign_at)?)
        }
    };

    let mut headers: Vec<(String, String)> =
        vec![(API_KEY_HEADER.to_string(), target.api_key.clone())];
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    if let Some(sig) = signature {
        headers.push((SIGNATURE_HEADER.to_string(), sig));
    }
    for (name, value) in &step.headers {
        let value = header_value(
            name,
            env.render_string(&value.value, None)
                .map_err(|e| render_error(e, &value.at))?,
            &value.at,
        )?;
        headers.retain(|(n, _)| n != name);
        headers.push((name.clone(), value));
    }
    headers.retain(|(n, _)| !step.omit.contains(n));

    Ok(Built {
        sent: SentRequest {
            method: step.method.clone(),
            url,
            headers,
            body: body.unwrap_or_default(),
        },
        url: parsed,
    })
}

/// A built request: what is recorded, and its URL parsed once for sending.
#[derive(Debug, Clone)]
pub struct Built {
    /// The request as it goes on the wire.
    pub sent: SentRequest,
    /// `sent.url`, parsed.
    pub url: reqwest::Url,
}
