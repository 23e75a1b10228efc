//! [`WebhookConfig`]: where the mock delivers webhooks, and the bounds of its
//! delivery (part of [`MockConfig`](super::MockConfig)).

use std::time::Duration;

use super::body_form::BodyForm;

/// Default [`WebhookConfig::retry_every`]: about once an hour, as Veriff
/// retries (docs/mock.md, "Webhooks").
const DEFAULT_WEBHOOK_RETRY_EVERY: Duration = Duration::from_secs(3_600);

/// Default [`WebhookConfig::retry_for`]: seven days, as Veriff retries.
const DEFAULT_WEBHOOK_RETRY_FOR: Duration = Duration::from_secs(7 * 24 * 3_600);

/// Default [`WebhookConfig::attempt_timeout`].
const DEFAULT_WEBHOOK_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default [`WebhookConfig::max_pending`].
const DEFAULT_WEBHOOK_MAX_PENDING: usize = 1_000;

/// Default [`WebhookConfig::max_pending_bytes`]: 16 MiB.
const DEFAULT_WEBHOOK_MAX_PENDING_BYTES: usize = 16 * 1024 * 1024;

/// Default [`WebhookConfig::api_first_for`].
const DEFAULT_WEBHOOK_API_FIRST_FOR: Duration = Duration::from_millis(500);

/// Default [`WebhookConfig::max_log`].
const DEFAULT_WEBHOOK_MAX_LOG: usize = 1_000;

/// Where the mock delivers webhooks (the integration's webhook URLs, as set
/// in Veriff's Customer Portal), how it retries, and the bounds of delivery.
/// The default has no URL, so the mock sends nothing.
///
/// The mock only ever POSTs to these URLs, never to a URL taken from a
/// request. Each must be an `http://` or `https://` URL;
/// [`MockServer::start`](super::MockServer::start) refuses any other.
/// The limits are listed with the others in [`MockConfig`](super::MockConfig)'s
/// docs ("Limits").
///
/// ```
/// use std::time::Duration;
/// use veriff_conformance::mock::{MockConfig, WebhookConfig};
///
/// let config = MockConfig {
///     webhooks: WebhookConfig {
///         decision: Some("http://127.0.0.1:9000/veriff/decision".into()),
///         retry_every: Duration::from_millis(50),
///         ..WebhookConfig::default()
///     },
///     ..MockConfig::generated()
/// };
/// assert_eq!(config.webhooks.event, None);
/// assert_eq!(config.webhooks.retry_for, Duration::from_secs(604_800));
/// assert_eq!(config.webhooks.check(), Ok(()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The decision webhook URL ("Webhook decisions URL"): a POST for every
    /// decision.
    pub decision: Option<String>,
    /// The event webhook URL ("Webhook events URL"): `started` (7001) and
    /// `submitted` (7002).
    pub event: Option<String>,
    /// The watchlist-screening webhook URL ("Webhook watchlist screening
    /// URL"): one `initial_result`, `no_match` per decided attempt.
    pub watchlist: Option<String>,
    /// Time between the starts of two attempts of one delivery. Zero is
    /// treated as 1 ms.
    pub retry_every: Duration,
    /// How long after its first attempt a delivery is retried; no attempt
    /// starts later, and a delivery whose last attempt failed is given up.
    pub retry_for: Duration,
    /// Longest one attempt may take, from connecting to the status line;
    /// reading the (bounded) answer body gets as long again.
    pub attempt_timeout: Duration,
    /// Most deliveries pending (not yet delivered or given up) at once; past
    /// it the oldest pending one is dropped. A value of 0 is treated as 1.
    /// It also bounds the webhooks made and not yet built, signed and
    /// recorded by the delivery thread: at half of it they stop waiting for
    /// the API to be idle, and the request that makes the last one records
    /// them all itself, once it has released the session store.
    pub max_pending: usize,
    /// Most bytes (bodies and headers) of pending deliveries at once; past it
    /// the oldest pending ones are dropped.
    pub max_pending_bytes: usize,
    /// Most deliveries kept in the delivery log; past it the oldest finished
    /// one (else the oldest) is forgotten. A value of 0 is treated as 1.
    pub max_log: usize,
    /// Longest that new deliveries wait for the API to be idle: while the
    /// mock keeps working on its sessions (each request that reads or
    /// changes one counts), a batch of new webhooks, resends included,
    /// waits until
    /// 5 ms pass without one, or this long at most (or until half of
    /// `max_pending` wait), before its first attempts start. A burst of requests is answered at full speed;
    /// a longer busy stretch shares the CPU with its deliveries. Retries do
    /// not wait. Zero starts every delivery at once.
    pub api_first_for: Duration,
    /// How each body's JSON is written, and so signed (compact by default).
    pub body_form: BodyForm,
}

impl Default for WebhookConfig {
    /// No URL, and Veriff's schedule: every hour for seven days.
    ///
    /// ```
    /// use veriff_conformance::mock::WebhookConfig;
    ///
    /// let config = WebhookConfig::default();
    /// assert_eq!((config.decision, config.event, config.watchlist), (None, None, None));
    /// assert_eq!(config.retry_every.as_secs(), 3_600);
    /// ```
    fn default() -> Self {
        Self {
            decision: None,
            event: None,
            watchlist: None,
            retry_every: DEFAULT_WEBHOOK_RETRY_EVERY,
            retry_for: DEFAULT_WEBHOOK_RETRY_FOR,
            attempt_timeout: DEFAULT_WEBHOOK_ATTEMPT_TIMEOUT,
            max_pending: DEFAULT_WEBHOOK_MAX_PENDING,
            max_pending_bytes: DEFAULT_WEBHOOK_MAX_PENDING_BYTES,
            max_log: DEFAULT_WEBHOOK_MAX_LOG,
            api_first_for: DEFAULT_WEBHOOK_API_FIRST_FOR,
            body_form: BodyForm::Compact,
        }
    }
}

impl WebhookConfig {
    /// Checks that every URL given is an absolute `http://` or `https://`
    /// URL; the error names the URL and what is wrong with it.
    ///
    /// ```
    /// use veriff_conformance::mock::WebhookConfig;
    ///
    /// let config = WebhookConfig { event: Some("ftp://example.com/hook".into()), ..WebhookConfig::default() };
    /// let error = config.check().unwrap_err();
    /// assert!(error.contains("event webhook URL"), "{error}");
    /// assert!(error.contains("http"), "{error}");
    /// ```
    pub fn check(&self) -> Result<(), String> {
        for (name, url) in [
            ("decision", &self.decision),
            ("event", &self.event),
            ("watchlist", &self.watchlist),
        ] {
            if let Some(url) = url {
                check_url(url).map_err(|why| format!("the {name} webhook URL {url:?} {why}"))?;
            }
        }
        Ok(())
    }
}

/// Why `url` cannot be a webhook URL.
fn check_url(url: &str) -> Result<(), &'static str> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "is not a valid absolute URL")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("is not an http:// or https:// URL");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("has no host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_and_https_urls_are_accepted() {
        for good in ["http://127.0.0.1:9/x", "https://example.com/hooks?a=1"] {
            assert_eq!(check_url(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "/relative",
            "example.com/hook",
            "ftp://example.com/",
            "file:///etc/passwd",
            "javascript:alert(1)",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
