//! The mock's configuration: credentials, public host and limits.

use std::fmt;
use std::time::Duration;

/// Default cap on live sessions kept in memory.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// Default cap on request body size: 25 MiB (api notes: "Session lifecycle",
/// media content "up to about 24 MB base64").
pub const DEFAULT_BODY_LIMIT: usize = 25 * 1024 * 1024;

/// Default cap on request body bytes held in memory at once, across all
/// requests: four bodies of [`DEFAULT_BODY_LIMIT`] (100 MiB).
pub const DEFAULT_BODY_BUDGET: usize = 4 * DEFAULT_BODY_LIMIT;

/// Default longest wait for room in the body budget before a JSON 503.
pub const DEFAULT_BODY_BUDGET_WAIT: Duration = Duration::from_secs(5);

/// Default [`MockConfig::body_read_timeout`]: 30 s.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Default [`MockConfig::max_connections`]: 512 open connections, half of the
/// usual limit of 1,024 file descriptors per process.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Default [`MockConfig::header_read_timeout`]: 10 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`MockConfig::max_media`]: media files kept in memory at once.
pub const DEFAULT_MAX_MEDIA: usize = 2_000;

/// Default [`MockConfig::media_budget`]: decoded media bytes kept in memory at
/// once, 200 MiB.
pub const DEFAULT_MEDIA_BUDGET: usize = 200 * 1024 * 1024;

/// Configuration of the mock: the integration's credentials, the public host it
/// reports in session URLs, and its limits.
///
/// `Debug` redacts the API key and the shared secret, so printing a config never
/// leaks them.
///
/// ```
/// use veriff_conformance::mock::MockConfig;
///
/// let config = MockConfig {
///     api_key: "my-api-key".into(),
///     shared_secret: "my-shared-secret".into(),
///     host: Some("https://alchemy.example".into()),
///     ..MockConfig::generated()
/// };
/// assert_eq!(config.max_sessions, 10_000);
/// assert_eq!(config.body_budget, 4 * config.body_limit);
/// assert!(!format!("{config:?}").contains("my-shared-secret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct MockConfig {
    /// The API key every `/v1` request must carry in `X-AUTH-CLIENT`.
    pub api_key: String,
    /// The shared secret that keys request and response HMAC signatures.
    pub shared_secret: String,
    /// Public host used in session `host` and `url` fields (for example
    /// `https://alchemy.example`). `None` means the mock's own base URL.
    /// A trailing `/` is ignored.
    pub host: Option<String>,
    /// Cap on live sessions; when it is reached the oldest session is dropped
    /// to make room for a new one. A value of 0 is treated as 1.
    pub max_sessions: usize,
    /// Largest accepted request body, in bytes; larger bodies get a JSON 413.
    pub body_limit: usize,
    /// Most request body bytes held in memory at once, summed over all
    /// requests being handled (memory use is bounded by this, not by the number
    /// of concurrent uploads times `body_limit`). Before reading a body, a
    /// request reserves its declared `Content-Length`, or `body_limit` when the
    /// length is not declared (chunked bodies), and keeps the reservation until
    /// its response is ready. A request that does not fit waits for room for
    /// at most [`body_budget_wait`](Self::body_budget_wait), then gets a JSON
    /// 503 `{"status":"fail","code":"1101","message":"..."}`. A value below
    /// `body_limit` is treated as `body_limit`, so one body of the largest
    /// accepted size always fits.
    pub body_budget: usize,
    /// How long a request waits for room in [`body_budget`](Self::body_budget)
    /// before it is refused with a JSON 503.
    pub body_budget_wait: Duration,
    /// How long a request body may take to arrive once reading has started; a
    /// slower upload gets a JSON 408 and gives its share of
    /// [`body_budget`](Self::body_budget) back, so stalled clients cannot hold
    /// the budget forever.
    pub body_read_timeout: Duration,
    /// Most connections open at once. At the cap the mock accepts no more:
    /// new clients wait in the listening socket's backlog (using no file
    /// descriptor of the mock) and are accepted as soon as a connection
    /// closes. A value of 0 is treated as 1.
    pub max_connections: usize,
    /// How long a client has to send a complete request head, counted from
    /// when the mock starts reading it: on a new connection, and on a
    /// kept-alive one after each response. A connection that takes longer,
    /// including one that sends nothing or stays idle between requests, is
    /// closed without a reply, which frees its place under
    /// [`max_connections`](Self::max_connections). hyper's
    /// `header_read_timeout`.
    pub header_read_timeout: Duration,
    /// A fixed delay before every request is handled, for every route (also
    /// unknown paths), on top of any [`DELAY_HEADER`](super::DELAY_HEADER)
    /// delay: a stand-in for network latency, for timeout tests and to show
    /// concurrency. Zero by default.
    pub latency: Duration,
    /// Cap on uploaded media files kept; when it is reached the oldest medium
    /// (of any session) is dropped to make room. A value of 0 is treated as 1.
    pub max_media: usize,
    /// Most decoded media bytes kept at once, over all sessions; the oldest
    /// media are dropped to make room for a new one. A medium larger than the
    /// whole budget is refused with a JSON 413.
    pub media_budget: usize,
}

impl MockConfig {
    /// A config with a fresh random API key and shared secret (each a UUID v4)
    /// and default limits: [`DEFAULT_MAX_SESSIONS`] sessions,
    /// [`DEFAULT_BODY_LIMIT`] bytes per body, [`DEFAULT_BODY_BUDGET`] body bytes
    /// in memory at once, [`DEFAULT_BODY_BUDGET_WAIT`] to wait for room,
    /// [`DEFAULT_MAX_CONNECTIONS`] connections, [`DEFAULT_HEADER_READ_TIMEOUT`]
    /// per request head, and no latency.
    ///
    /// ```
    /// use veriff_conformance::mock::MockConfig;
    ///
    /// let a = MockConfig::generated();
    /// let b = MockConfig::generated();
    /// assert_ne!(a.api_key, b.api_key);
    /// assert_ne!(a.shared_secret, b.shared_secret);
    /// assert_eq!(a.host, None);
    /// assert_eq!(a.body_limit, 25 * 1024 * 1024);
    /// assert_eq!(a.max_connections, 512);
    /// assert_eq!(a.header_read_timeout, std::time::Duration::from_secs(10));
    /// assert!(a.latency.is_zero());
    /// ```
    pub fn generated() -> Self {
        Self {
            api_key: uuid::Uuid::new_v4().to_string(),
            shared_secret: uuid::Uuid::new_v4().to_string(),
            host: None,
            max_sessions: DEFAULT_MAX_SESSIONS,
            body_limit: DEFAULT_BODY_LIMIT,
            body_budget: DEFAULT_BODY_BUDGET,
            body_budget_wait: DEFAULT_BODY_BUDGET_WAIT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            latency: Duration::ZERO,
            max_media: DEFAULT_MAX_MEDIA,
            media_budget: DEFAULT_MEDIA_BUDGET,
        }
    }
}

impl Default for MockConfig {
    /// Same as [`MockConfig::generated`]: a default config has random
    /// credentials, never fixed ones that could be guessed.
    ///
    /// ```
    /// use veriff_conformance::mock::MockConfig;
    ///
    /// assert_ne!(MockConfig::default().api_key, MockConfig::default().api_key);
    /// ```
    fn default() -> Self {
        Self::generated()
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("api_key", &"<redacted>")
            .field("shared_secret", &"<redacted>")
            .field("host", &self.host)
            .field("max_sessions", &self.max_sessions)
            .field("body_limit", &self.body_limit)
            .field("body_budget", &self.body_budget)
            .field("body_budget_wait", &self.body_budget_wait)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("latency", &self.latency)
            .field("max_media", &self.max_media)
            .field("media_budget", &self.media_budget)
            .finish()
    }
}
