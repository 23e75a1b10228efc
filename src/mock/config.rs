//! The mock's configuration: credentials, public host and limits.

use std::fmt;
use std::time::Duration;

use super::webhook_config::WebhookConfig;

/// Default [`MockConfig::max_sessions`] (see [`MockConfig`]'s limits).
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// Default [`MockConfig::body_limit`]: 25 MiB, room for the largest media
/// upload Veriff documents (see [`MockConfig`]'s limits).
pub const DEFAULT_BODY_LIMIT: usize = 25 * 1024 * 1024;

/// Default [`MockConfig::body_budget`]: four bodies of [`DEFAULT_BODY_LIMIT`]
/// (see [`MockConfig`]'s limits).
pub const DEFAULT_BODY_BUDGET: usize = 4 * DEFAULT_BODY_LIMIT;

/// Default [`MockConfig::body_budget_wait`] (see [`MockConfig`]'s limits).
pub const DEFAULT_BODY_BUDGET_WAIT: Duration = Duration::from_secs(5);

/// Default [`MockConfig::body_read_timeout`] (see [`MockConfig`]'s limits).
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Default [`MockConfig::max_connections`]: half of the usual limit of 1,024
/// file descriptors per process (see [`MockConfig`]'s limits).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Default [`MockConfig::header_read_timeout`] (see [`MockConfig`]'s limits).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default [`MockConfig::max_media`] (see [`MockConfig`]'s limits).
pub const DEFAULT_MAX_MEDIA: usize = 2_000;

/// Default [`MockConfig::media_budget`] (see [`MockConfig`]'s limits).
pub const DEFAULT_MEDIA_BUDGET: usize = 200 * 1024 * 1024;

/// Configuration of the mock: the integration's credentials, the public host it
/// reports in session URLs, and its limits.
///
/// `Debug` redacts the API key and the shared secret, so printing a config never
/// leaks them.
///
/// # Limits
///
/// Every bound of the mock, with its value: the settings below (their
/// defaults are those of [`MockConfig::generated`]), then the fixed ones.
/// Every refusal is a JSON `{"status":"fail","code":"1101","message":...}`
/// unless the row says otherwise.
///
/// | limit | setting | default | at the limit |
/// |---|---|---|---|
/// | live sessions | [`max_sessions`](Self::max_sessions) | 10,000 | the oldest session is dropped, with its attempts and media |
/// | one request body | [`body_limit`](Self::body_limit) | 25 MiB | 413 |
/// | request bodies held at once | [`body_budget`](Self::body_budget) | 100 MiB (4 × `body_limit`) | the request waits for room (see "Request bodies") |
/// | wait for room in the body budget | [`body_budget_wait`](Self::body_budget_wait) | 5 s | 503 "Too many request bodies in memory; retry later" |
/// | one body's arrival, once reading starts | [`body_read_timeout`](Self::body_read_timeout) | 30 s | 408, and its share of the budget is given back |
/// | media kept | [`max_media`](Self::max_media) | 2,000 files | the oldest medium (of any session) is dropped |
/// | decoded media bytes kept | [`media_budget`](Self::media_budget) | 200 MiB | the oldest media are dropped to make room; one medium larger than the whole budget is a 413 |
/// | open connections | [`max_connections`](Self::max_connections) | 512 | new clients wait in the listen backlog (see "Connections") |
/// | time to send a request head | [`header_read_timeout`](Self::header_read_timeout) | 10 s | the connection is closed without a reply |
/// | latency before every request | [`latency`](Self::latency) | none | (a delay, not a bound) |
/// | time between attempts of one webhook | [`webhooks.retry_every`](WebhookConfig::retry_every) | 1 hour | (a delay, not a bound) |
/// | wait of new webhooks for the API to be idle | [`webhooks.api_first_for`](WebhookConfig::api_first_for) | 500 ms | their first attempts start anyway |
/// | how long a webhook is retried | [`webhooks.retry_for`](WebhookConfig::retry_for) | 7 days | given up, shown as `given_up` in the delivery log and on standard error |
/// | one webhook attempt | [`webhooks.attempt_timeout`](WebhookConfig::attempt_timeout) | 10 s to the status line, as long again for the answer | a failed attempt |
/// | webhooks pending | [`webhooks.max_pending`](WebhookConfig::max_pending) | 1,000 | the oldest pending one is dropped (`dropped`, and a line on standard error) |
/// | bytes of pending webhooks | [`webhooks.max_pending_bytes`](WebhookConfig::max_pending_bytes) | 16 MiB | the same; a webhook larger than the whole budget is dropped itself |
/// | deliveries in the delivery log | [`webhooks.max_log`](WebhookConfig::max_log) | 1,000 | the oldest finished one is forgotten (else the oldest, reported as dropped) |
///
/// | fixed limit | value | beyond it |
/// |---|---|---|
/// | delay asked with [`DELAY_HEADER`](super::DELAY_HEADER) | [`MAX_DELAY_MS`](super::MAX_DELAY_MS): 60,000 ms | capped |
/// | media `image.content` | 24,000,000 characters (Veriff's documented "24 MB as base64") | 413 |
/// | `vendorData` | 1,000 characters (Veriff's limit) | 400 code 1500 |
/// | each kept `person`/`document` field at create | 1,000 characters | 400 code 1104 |
/// | request target (hyper's, not a setting) | 65,534 bytes | 414 "Request URI is too long" |
/// | request head (hyper's) | 100 header fields, about 400 KiB | 431 "Request header fields are too large" |
/// | requests in flight at [`MockServer::shutdown`](super::MockServer::shutdown) | 10 s to finish | aborted |
/// | webhooks pending at [`MockServer::shutdown`](super::MockServer::shutdown) | none | their attempts stop at once, and they are shown as `dropped` |
/// | webhook answer body read | 4 KiB, of which 1 KiB (masked) is kept per attempt | the rest is not read |
/// | webhook attempts kept in the log | the latest 10 per delivery (all are counted) | older ones forgotten |
/// | redirects followed by webhook attempts | none | a 3xx is a failed attempt |
///
/// ## Webhook deliveries
///
/// A change that makes webhooks keeps what they will say and returns; an
/// answer waits for no delivery, and for no body to be built or signed
/// except in the one case below (`max_pending` waiting). The
/// delivery thread, woken once per batch, builds, signs and records them
/// (`pending` in the delivery log) in the order they were made; reading the
/// log records those still waiting first. The API comes first: while
/// requests keep reading or changing sessions, a batch waits until 5 ms
/// pass without one, for at most `webhooks.api_first_for` (500 ms), or
/// until half of `webhooks.max_pending` wait; at `max_pending` waiting,
/// the next request to release the session store records them all before
/// it answers. Every attempt
/// runs on one thread of the mock's own, `mock-webhooks`, with a one-thread
/// runtime, started with the first webhook, at the priority of the threads
/// that answer. When the CPU is saturated deliveries lag behind answers:
/// they wait as `pending`, within `webhooks.max_pending` and
/// `webhooks.max_pending_bytes`, and past those the oldest pending one is
/// dropped (`dropped`, and a line on standard error). Given spare CPU they
/// go out at once, roughly in the order they were made (up to 8 attempts to
/// one receiver run at once, so it may see them in another order).
///
/// ## Request bodies
///
/// After its API key is checked and before its body is read, a request
/// reserves its declared `Content-Length` in the body budget (rounded up to a
/// KiB), or the whole `body_limit` when no length is declared (a chunked
/// body), and holds the reservation until its response is ready. A request
/// that finds no room waits, its body unread (so TCP flow control holds the
/// client back), for at most `body_budget_wait`. The budget counts raw body
/// bytes: while a body is parsed its JSON value takes about as much again,
/// and each connection also has hyper's read buffer (up to about 400 KiB).
///
/// ## Connections
///
/// The mock serves HTTP/1.x only, each connection through hyper on its own
/// task. At `max_connections` it stops accepting: new clients are neither
/// refused nor dropped, they wait in the listening socket's backlog (which
/// holds no file descriptor of the mock; tokio binds with a backlog of 1,024,
/// and the kernel makes clients beyond it retry their connect) and are
/// accepted, in order, as soon as a connection closes. The header-read clock
/// runs only while a head is awaited: from when a connection is accepted, and
/// after each response on a kept-alive one. A connection that sends nothing,
/// sends its head a byte at a time, or sits idle between requests is closed
/// then (hyper's `header_read_timeout`); a response that takes long (a slow
/// handler, the delay control, `latency`) is not affected. So a flood of idle
/// connections delays a new client by at most about that timeout per cap's
/// worth of idle connections queued ahead of it, and never locks it out.
///
/// Neither connection bound applies to a [`router`](super::router) served some
/// other way (for example with `axum::serve`); the latency does.
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
    /// of concurrent uploads times `body_limit`; see "Request bodies" above).
    /// A value below `body_limit` is treated as `body_limit`, so one body of
    /// the largest accepted size always fits.
    pub body_budget: usize,
    /// How long a request waits for room in [`body_budget`](Self::body_budget)
    /// before it is refused with a JSON 503.
    pub body_budget_wait: Duration,
    /// How long a request body may take to arrive once reading has started; a
    /// slower upload gets a JSON 408 and gives its share of
    /// [`body_budget`](Self::body_budget) back, so stalled clients cannot hold
    /// the budget forever.
    pub body_read_timeout: Duration,
    /// Most connections open at once; at the cap new clients wait to be
    /// accepted (see "Connections" above). A value of 0 is treated as 1.
    pub max_connections: usize,
    /// How long a client has to send a complete request head, counted from
    /// when the mock starts reading it (see "Connections" above). A connection
    /// that takes longer is closed without a reply, which frees its place
    /// under [`max_connections`](Self::max_connections).
    pub header_read_timeout: Duration,
    /// A fixed delay before every request is handled, for every route (also
    /// unknown paths), on top of any [`DELAY_HEADER`](super::DELAY_HEADER)
    /// delay: a stand-in for network latency, for timeout tests and to show
    /// concurrency.
    pub latency: Duration,
    /// Cap on uploaded media files kept; when it is reached the oldest medium
    /// (of any session) is dropped to make room. A value of 0 is treated as 1.
    pub max_media: usize,
    /// Most decoded media bytes kept at once, over all sessions; the oldest
    /// media are dropped to make room for a new one. A medium larger than the
    /// whole budget is refused with a JSON 413.
    pub media_budget: usize,
    /// Where webhooks are delivered, and how (no URL by default: nothing is
    /// sent). See [`WebhookConfig`] and docs/mock.md, "Webhooks".
    pub webhooks: WebhookConfig,
    /// Accept `http://` session callbacks at create, as well as `https://`
    /// ones. Off by default: Veriff answers an `http://` callback with 400
    /// code 1302, and so does the mock. Turn it on to test a front end
    /// served from `http://localhost`, which the flow page sends the end
    /// user back to (docs/web-front-end.md).
    pub allow_http_callback: bool,
}

impl MockConfig {
    /// A config with a fresh random API key and shared secret (each a UUID v4)
    /// and the default limits (the `DEFAULT_*` constants; see the table in
    /// [`MockConfig`]'s docs), with no latency.
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
            webhooks: WebhookConfig::default(),
            allow_http_callback: false,
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
            .field("webhooks", &self.webhooks)
            .field("allow_http_callback", &self.allow_http_callback)
            .finish()
    }
}
