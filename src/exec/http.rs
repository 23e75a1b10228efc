//! Sending one request and reading its response within the run's limits:
//! the rate cap, `Retry-After` on 429 and 503, the timeout and the size limit.

use std::time::{Duration, SystemTime};

use super::request::Built;
use super::target::{MAX_RESPONSE_BYTES, Target};
use super::throttle::Throttle;
use crate::record::exchange::Response;
use crate::results::{ErrorKind, Retry};

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
    crate::tls::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        // Below the embedded mock's 10 s idle limit (and most servers'), so that
        // a pooled connection is not reused just as the server closes it.
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .user_agent(concat!("veriff-conformance/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", describe(&e)))
}

/// Sends `built` and reads the whole response, at most [`MAX_RESPONSE_BYTES`] of body.
pub async fn send(
    client: &reqwest::Client,
    target: &Target,
    built: &Built,
) -> Result<Response, (ErrorKind, String)> {
    let sent = &built.sent;
    let mut builder = client
        .request(sent.method.clone(), built.url.clone())
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

/// Retries of one request after a 429 or 503 with `Retry-After`, at most.
pub const MAX_RETRIES: usize = 3;
/// The longest `Retry-After` honoured; an answer asking for longer is not retried.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

/// The delay a `Retry-After` value asks for: whole seconds, or an HTTP date
/// (a date in the past asks for no delay). `None` when it is neither.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// One request sent under the run's rate cap, with its retries.
#[derive(Debug)]
pub struct Sent {
    /// The last answer, or why there was none.
    pub result: Result<Response, (ErrorKind, String)>,
    /// 429 and 503 answers retried after their `Retry-After`, in order.
    pub retries: Vec<Retry>,
    /// Why the last answer was not retried although it had a `Retry-After`.
    pub not_retried: Option<String>,
    /// How long the last send took (waits for the rate cap and `Retry-After` left out).
    pub elapsed: Duration,
}

impl Sent {
    /// A request that was never sent because the run has no HTTP client:
    /// `why` it could not be built (a network error, as the harness cannot
    /// connect at all).
    pub fn unsent(why: String) -> Sent {
        Sent {
            result: Err((ErrorKind::Network, format!("harness error: {why}"))),
            retries: Vec::new(),
            not_retried: None,
            elapsed: Duration::ZERO,
        }
    }
}

/// Sends `built` under `throttle`: waits for a slot unless `slot_taken` (a
/// group takes its slots together), and retries a 429 or 503 that has a
/// `Retry-After` after that delay, at most [`MAX_RETRIES`] times and only for
/// delays up to [`MAX_RETRY_DELAY`]. Each retry waits for a slot too.
pub async fn send_politely(
    client: &reqwest::Client,
    target: &Target,
    throttle: &Throttle,
    built: &Built,
    mut slot_taken: bool,
) -> Sent {
    let mut retries = Vec::new();
    loop {
        if !slot_taken {
            throttle.acquire(1).await;
        }
        slot_taken = false;
        let started = std::time::Instant::now();
        let result = send(client, target, built).await;
        let elapsed = started.elapsed();
        let response = match result {
            Ok(r) if r.status == 429 || r.status == 503 => r,
            other => {
                return Sent {
                    result: other,
                    retries,
                    not_retried: None,
                    elapsed,
                };
            }
        };
        let Some(asked) = response.header("retry-after") else {
            return Sent {
                result: Ok(response),
                retries,
                not_retried: None,
                elapsed,
            };
        };
        let why_not = match retry_after(&asked, SystemTime::now()) {
            None => Some(format!(
                "its Retry-After `{asked}` is neither seconds nor an HTTP date"
            )),
            Some(delay) if delay > MAX_RETRY_DELAY => Some(format!(
                "its Retry-After asks for {} s, more than the {} s the harness waits",
                delay.as_secs(),
                MAX_RETRY_DELAY.as_secs()
            )),
            Some(_) if retries.len() >= MAX_RETRIES => Some(format!(
                "the request was already retried {MAX_RETRIES} times, the most the harness retries"
            )),
            Some(delay) => {
                retries.push(Retry {
                    status: response.status,
                    retry_after: asked,
                    delay,
                });
                tokio::time::sleep(delay).await;
                None
            }
        };
        if let Some(why) = why_not {
            return Sent {
                result: Ok(response),
                retries,
                not_retried: Some(why),
                elapsed,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_an_http_date_and_nothing_else() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Mon, 13 Nov 2023 00:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-1", now), None);
    }
}
