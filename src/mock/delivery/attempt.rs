//! One attempt of a delivery: a POST within a timeout, no redirect
//! followed, at most [`ANSWER_BYTES`] of the answer read.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::log::Request;

/// Most bytes of an answer's body read (and kept, as text, in the log).
pub(crate) const ANSWER_BYTES: usize = 4 * 1024;

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// A status line arrived, with the start of the body.
    Answered { status: u16, answer: Vec<u8> },
    /// No status: connection error, timeout, a header that cannot be sent.
    Failed(String),
}

/// Idle connections kept per receiver host, for the next deliveries: a new
/// TCP connection per webhook costs the mock several times the CPU of the
/// API request that caused it.
pub(super) const IDLE_PER_HOST: usize = 8;

/// How long an idle connection to a receiver is kept.
const IDLE_FOR: Duration = Duration::from_secs(30);

/// The client every attempt uses: no redirects, no proxies, and at most
/// [`IDLE_PER_HOST`] idle connections per host, each kept [`IDLE_FOR`] at
/// most. A connection whose answer was not read to its end (over
/// [`ANSWER_BYTES`], or late) is not reused.
pub(super) fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    crate::tls::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(timeout)
        .pool_max_idle_per_host(IDLE_PER_HOST)
        .pool_idle_timeout(IDLE_FOR)
        .http1_only()
        .build()
        .map_err(|e| format!("cannot build the webhook client: {e}"))
}

/// A delivery's request, ready for every attempt: its URL parsed and its
/// headers checked once.
pub(super) struct Ready {
    url: reqwest::Url,
    headers: HeaderMap,
    body: axum::body::Bytes,
}

impl Ready {
    /// Where it goes.
    pub(super) fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// `request` to `url`; why it cannot be sent, if it cannot.
    pub(super) fn new(url: &str, request: &Request) -> Result<Self, String> {
        Ok(Self {
            url: reqwest::Url::parse(url).map_err(|e| format!("the URL is not valid: {e}"))?,
            headers: header_map(&request.headers)?,
            body: request.body.clone(),
        })
    }
}

/// POSTs `ready`. The status line must come within `timeout`, and the first
/// [`ANSWER_BYTES`] of the body within `timeout` more; a body that is slower
/// or longer is cut there (the status still counts).
pub(super) async fn attempt(client: &reqwest::Client, ready: &Ready, timeout: Duration) -> Outcome {
    let send = client
        .post(ready.url.clone())
        .headers(ready.headers.clone())
        .body(ready.body.clone())
        .send();
    let mut response = match tokio::time::timeout(timeout, send).await {
        Err(_) => return Outcome::Failed(format!("no answer within {timeout:?}")),
        Ok(Err(error)) => return Outcome::Failed(describe(&error)),
        Ok(Ok(response)) => response,
    };
    let status = response.status().as_u16();
    let mut answer = Vec::new();
    let read = async {
        while answer.len() < ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = ANSWER_BYTES - answer.len();
                    answer.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
    };
    let _ = tokio::time::timeout(timeout, read).await;
    Outcome::Answered { status, answer }
}

fn header_map(pairs: &[(String, String)]) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{name:?} is not a valid header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of {name} is not a valid header value"))?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// A short description of a failed request, without its URL.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_that_http_cannot_carry_are_reported_by_name() {
        let good = [("x-a".to_owned(), "1".to_owned())];
        assert_eq!(header_map(&good).map(|h| h.len()), Ok(1));
        let bad_name = [("bad name".to_owned(), "1".to_owned())];
        assert!(header_map(&bad_name).is_err_and(|e| e.contains("bad name")));
        let bad_value = [("x-a".to_owned(), "line\nbreak".to_owned())];
        assert!(header_map(&bad_value).is_err_and(|e| e.contains("x-a")));
    }
}
