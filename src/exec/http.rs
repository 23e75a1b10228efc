//! Sending one request and reading its response within the run's limits.

use super::target::{MAX_RESPONSE_BYTES, Target};
use crate::record::exchange::{Response, SentRequest};
use crate::results::ErrorKind;

/// A reqwest error with its chain of causes, each said once.
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The run's HTTP client: redirects are not followed, so that the checks see
/// what the API answered.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Below the embedded mock's 10 s idle limit (and most servers'), so that
        // a pooled connection is not reused just as the server closes it.
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .user_agent(concat!("veriff-conformance/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", describe(&e)))
}

/// Sends `sent` and reads the whole response, at most [`MAX_RESPONSE_BYTES`] of body.
pub async fn send(
    client: &reqwest::Client,
    target: &Target,
    sent: &SentRequest,
) -> Result<Response, (ErrorKind, String)> {
    let mut builder = client
        .request(sent.method.clone(), &sent.url)
        .timeout(target.timeout);
    for (name, value) in &sent.headers {
        builder = builder.header(name, value);
    }
    if sent.headers.iter().any(|(n, _)| n == "content-type") || !sent.body.is_empty() {
        builder = builder.body(sent.body.clone());
    }
    let classify = |e: reqwest::Error| {
        if e.is_timeout() {
            (
                ErrorKind::Timeout,
                format!(
                    "no response within {} s (--timeout)",
                    target.timeout.as_secs_f64()
                ),
            )
        } else if e.is_connect() {
            (
                ErrorKind::Network,
                format!("cannot connect: {}", describe(&e)),
            )
        } else {
            (ErrorKind::Network, describe(&e))
        }
    };
    let mut response = builder.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err((
                ErrorKind::Response,
                format!(
                    "the response body is larger than {} MiB; stopped reading (status {status})",
                    MAX_RESPONSE_BYTES / (1024 * 1024)
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Response::new(status, headers, body))
}
