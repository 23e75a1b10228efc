//! The embedded, stateful mock of Veriff's session API.
//!
//! Sessions, their attempts, decisions and media live in memory. Requests are
//! authenticated like Veriff's API (`X-AUTH-CLIENT`, and `X-HMAC-SIGNATURE`
//! or the legacy `X-SIGNATURE` on signed routes), success responses are
//! signed with the shared secret, and every failure is a JSON
//! `{"status":"fail","code":"<digits>","message":"..."}` body (the DELETE
//! page's 400 has a numeric `status`, as documented; for the few other
//! exceptions, see "Requests hyper refuses" below). Sources are cited per
//! behaviour, tagged like `../shared/reference/veriff-api.md`.
//!
//! | route | signed over | success |
//! |---|---|---|
//! | `POST /v1/sessions` | nothing (API key only) | 201, session `created` |
//! | `PATCH /v1/sessions/{id}` | body | 200, session `submitted`; decided at once with the `firstName` trick |
//! | `DELETE /v1/sessions/{id}` | session id | 200 unless `submitted`/`review` (400 code 1305) |
//! | `POST /v1/sessions/{id}/media` | body | 201 while `created`/`started`/`resubmission_requested`, 409 after submit |
//! | `GET /v1/sessions/{id}/media` | session id | media of the latest attempt |
//! | `GET /v1/attempts/{id}/media` | attempt id | media of that attempt |
//! | `GET /v1/media/{id}` | media id | the raw bytes, signed over them |
//! | `GET /v1/sessions/{id}/attempts` | session id | attempts, newest first |
//! | `GET /v1/sessions/{id}/decision` | session id | `verification: null` until decided |
//! | `GET /v1/sessions/{id}/person` | session id | initData person, no sanction matches |
//! | `GET /v1/sessions/{id}/watchlist-screening` | session id | `no_match` |
//! | `GET /v/{sessionToken}` | none (the end user's browser) | 200, `created` becomes `started` |
//!
//! Mock-only controls: [`FAULT_HEADER`], [`DELAY_HEADER`] and
//! [`DECISION_HEADER`]. The mock logs nothing, so the API key and shared
//! secret never reach a log. The API key is compared in constant time (HMAC
//! digests of both values, compared with `hmac`'s constant-time check).
//!
//! # Memory
//!
//! - Sessions: at most [`MockConfig::max_sessions`]; the oldest is dropped,
//!   with its attempts and media.
//! - Media: at most [`MockConfig::max_media`] files and
//!   [`MockConfig::media_budget`] decoded bytes (defaults
//!   [`DEFAULT_MAX_MEDIA`], [`DEFAULT_MEDIA_BUDGET`]); the oldest media are
//!   dropped to make room, and a medium larger than the budget is a JSON 413.
//! - Each request body: at most [`MockConfig::body_limit`] bytes (JSON 413).
//! - All request bodies held at once: at most [`MockConfig::body_budget`] bytes
//!   (default [`DEFAULT_BODY_BUDGET`], four bodies of the default limit). After
//!   its API key is checked and before its body is read, a request reserves its
//!   declared `Content-Length` (rounded up to a KiB), or the whole body limit
//!   when no length is declared (a chunked body), and holds the reservation
//!   until its response is ready. A request that finds no room waits (its body
//!   unread, so TCP flow control holds the client back) for at most
//!   [`MockConfig::body_budget_wait`] (default [`DEFAULT_BODY_BUDGET_WAIT`]),
//!   then gets a JSON 503 `{"status":"fail","code":"1101","message":"Too many
//!   request bodies in memory; retry later"}`. The budget counts raw body bytes;
//!   while a body is parsed its JSON value takes about as much again, and each
//!   connection also has hyper's read buffer (up to about 400 KiB), with at
//!   most [`MockConfig::max_connections`] connections (see "Connections").
//!
//! # Connections
//!
//! The mock serves HTTP/1.x only, each connection through hyper on its own
//! task, with two bounds against clients that hold connections open:
//!
//! - **Request heads**: a client has [`MockConfig::header_read_timeout`]
//!   (default [`DEFAULT_HEADER_READ_TIMEOUT`], 10 s; hyper's
//!   `header_read_timeout`) to send a complete request head, counted from when
//!   the mock starts reading it: when the connection is accepted, and after
//!   each response on a kept-alive connection. A connection that sends nothing,
//!   sends its head a byte at a time, or sits idle between requests is closed
//!   then, without a reply. A response that takes long (a slow handler, the
//!   delay control, [`MockConfig::latency`]) is not affected: the clock runs
//!   only while a head is awaited.
//! - **Open connections**: at most [`MockConfig::max_connections`] (default
//!   [`DEFAULT_MAX_CONNECTIONS`], 512, half the usual limit of 1,024 file
//!   descriptors). At the cap the mock stops accepting: new clients are
//!   neither refused nor dropped, they wait in the listening socket's backlog
//!   (which holds no file descriptor of the mock; tokio binds with a backlog
//!   of 1,024, and the kernel makes clients beyond it retry their connect) and
//!   are accepted, in order, as soon as a connection closes. Idle connections
//!   close within the header-read timeout, so a flood of them delays a new
//!   client by at most about that timeout per cap's worth of idle connections
//!   queued ahead of it, and never locks it out.
//!
//! [`MockConfig::latency`] (default none) delays every request routed to the
//! mock by a fixed time before it is handled, like a slow network.
//!
//! [`MockServer::builder`] adds tower layers around the router, for example a
//! middleware that changes responses; they see every request that reaches a
//! route, and never those that hyper refuses (below).
//!
//! # Requests hyper refuses
//!
//! Some requests never reach the routes: hyper (the HTTP/1 server under axum)
//! refuses their head itself, writes a reply with an empty body and closes the
//! connection. Served by [`MockServer`] or [`serve`], the mock rewrites those
//! replies on the connection as they are written: same status line, `connection:
//! close`, and a JSON body:
//!
//! | hyper refuses | reply |
//! |---|---|
//! | a request target over 65,534 bytes (for example a 100 KiB session id; the limit is a constant in hyper, not a setting, so such an id cannot get a route's 404) | 414, `"Request URI is too long"` |
//! | more than 100 header fields, or a head still unfinished after about 400 KiB | 431, `"Request header fields are too large"` |
//! | a head that is not HTTP/1.x: bad request line, method, target, version or header syntax, an invalid `Content-Length` | 400, `"Malformed HTTP request"` |
//!
//! each with code `"1101"`. What stays as hyper leaves it:
//!
//! - a [`router`] served some other way (for example with `axum::serve` on a
//!   plain listener): the three replies above keep their empty bodies, and
//!   neither connection bound of "Connections" applies (the latency does);
//! - connections on which hyper writes no reply at all: the client closes the
//!   connection before its head is complete, an I/O error, a head that misses
//!   the header-read timeout (see "Connections" above), or an HTTP/2
//!   prior-knowledge preface (the mock serves HTTP/1 only; hyper closes such a
//!   connection without a reply);
//! - a refused head later on a keep-alive connection that has carried a
//!   `GET /v1/media/{id}` answer whose bytes do not start with `{`: the rewriter
//!   cannot tell such a body from a reply to `HEAD`, so it steps aside for the
//!   rest of that connection (the medium itself passes unchanged);
//! - a refused head followed by body bytes hyper never read (say a 100 KiB URI
//!   on a `PATCH` with a body): the JSON reply is sent, but closing a socket
//!   with unread data makes the kernel reset the connection, and the client may
//!   see the reset instead of the reply.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use veriff_conformance::mock::{MockConfig, MockServer};
//!
//! let server = MockServer::start(MockConfig::generated()).await?;
//! let response = reqwest::Client::new()
//!     .post(format!("{}/v1/sessions", server.base_url()))
//!     .header("content-type", "application/json")
//!     .body("{}")
//!     .send()
//!     .await?;
//! assert_eq!(response.status(), 401);
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod app;
mod auth;
mod body;
mod builder;
mod config;
mod connections;
mod controls;
mod errors;
mod extract;
mod media;
mod response;
mod results;
mod routes;
mod server;
mod sessions;
mod state;
mod transport;

pub use builder::MockServerBuilder;
pub use config::{
    DEFAULT_BODY_BUDGET, DEFAULT_BODY_BUDGET_WAIT, DEFAULT_BODY_LIMIT, DEFAULT_BODY_READ_TIMEOUT,
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MEDIA, DEFAULT_MAX_SESSIONS,
    DEFAULT_MEDIA_BUDGET, MockConfig,
};
pub use controls::{DECISION_HEADER, DELAY_HEADER, FAULT_HEADER, MAX_DELAY_MS};
pub use routes::router;
pub use server::{MockServer, serve};
