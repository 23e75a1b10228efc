//! The embedded, stateful mock of Veriff's session API.
//!
//! Sessions, their attempts, decisions and media live in memory. Requests are
//! authenticated like Veriff's API (`X-AUTH-CLIENT`, and `X-HMAC-SIGNATURE`
//! or the legacy `X-SIGNATURE` on signed routes), success responses are
//! signed with the shared secret, and every failure is a JSON
//! `{"status":"fail","code":"<digits>","message":"..."}` body (the DELETE
//! page's 400 has a numeric `status`, as documented; for the few other
//! exceptions, see "Requests hyper refuses" below). Sources are cited per
//! behaviour, tagged as in docs/veriff-api.md; "the PATCH page" is Veriff's
//! page for `PATCH /v1/sessions/{id}` (docs/veriff-api.md, section 4.2).
//!
//! The routes, what each is signed over and what it answers are listed once,
//! for users, in `docs/mock.md`; in code, the route table is `routes.rs`.
//!
//! Mock-only controls: [`FAULT_HEADER`], [`DELAY_HEADER`] and
//! [`DECISION_HEADER`], and the routes under `/mock` (the webhook delivery
//! log, resend, and a decision trigger). Webhooks go only to the URLs of
//! [`WebhookConfig`]. The mock logs nothing but webhooks dropped or given up,
//! to standard error, with the API key and shared secret masked. The API key is compared in constant time (HMAC
//! digests of both values, compared with `hmac`'s constant-time check).
//!
//! # Limits
//!
//! Every bound of the mock (sessions, media, request bodies, connections,
//! timeouts, latency) and its value is listed once, in [`MockConfig`]'s docs
//! ("Limits").
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
//! | a request target over hyper's limit (for example a 100 KiB session id; the limit is a constant in hyper, not a setting, so such an id cannot get a route's 404) | 414, `"Request URI is too long"` |
//! | too many header fields, or a head still unfinished at hyper's limit | 431, `"Request header fields are too large"` |
//! | a head that is not HTTP/1.x: bad request line, method, target, version or header syntax, an invalid `Content-Length` | 400, `"Malformed HTTP request"` |
//!
//! each with code `"1101"`. What stays as hyper leaves it:
//!
//! - a [`router`] served some other way (for example with `axum::serve` on a
//!   plain listener): the three replies above keep their empty bodies, and
//!   neither connection bound applies (the latency does);
//! - connections on which hyper writes no reply at all: the client closes the
//!   connection before its head is complete, an I/O error, a head that misses
//!   the header-read timeout, or an HTTP/2
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
//! # Layout
//!
//! - `routes.rs`: the route table, the only place the API's routes and the
//!   mock's controls are listed; the browser preflight of create beside it
//!   (`cors.rs`); and the layers around them.
//! - One file per resource, each with its handlers, body validation and
//!   views (response bodies): `sessions.rs`, `media.rs` (and `media/content.rs`,
//!   decoding uploads), `decisions.rs` (attempts, decision, person, watchlist
//!   screening).
//! - `extract.rs`: the extractors that authenticate a request (API key, body
//!   budget, signature, fault control) before its handler runs, so no handler
//!   does it by hand; `auth.rs` and `request_body.rs` are the checks they run.
//! - `errors.rs`: the catalogue of error envelopes and codes;
//!   `response.rs`: unsigned JSON and response signing.
//! - `state.rs` and `state/`: the in-memory store and the behaviour it keeps
//!   (lifecycle transitions, decisions, media within their bounds).
//! - `controls.rs`: the mock-only headers; `config.rs`: [`MockConfig`] and its
//!   limits; `webhook_config.rs`: [`WebhookConfig`].
//! - `views.rs`: the decision and watchlist-screening bodies, which an API
//!   answer and a webhook share.
//! - `outbox.rs`: the webhook bodies; the store tells its changes to this
//!   outbox (`state/events.rs`), which hands them to `delivery.rs` and
//!   `delivery/`: sending them in the background, with retries, within
//!   bounds, and their log. `webhooks.rs`: the `/mock` routes.
//! - `cors.rs`: browsers on other origins (create only, for Veriff's JS SDK);
//!   `flow.rs` and `flow/page.html`: the flow page a browser gets at the
//!   session `url`, and its buttons.
//! - `builder.rs`, `server.rs`, `connections.rs`, `transport.rs`: starting the
//!   mock, serving connections, and JSON bodies for what hyper refuses.
//!
//! A new endpoint is a route line in `routes.rs` plus a section in its
//! resource's file; a new behaviour is a change under `state/`.
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
mod body_form;
mod builder;
mod config;
mod connections;
mod controls;
mod cors;
mod decisions;
mod delivery;
mod errors;
mod extract;
mod flow;
mod media;
mod outbox;
mod request_body;
mod response;
mod routes;
mod server;
mod sessions;
mod state;
mod transport;
mod views;
mod webhook_config;
mod webhooks;

pub use body_form::BodyForm;
pub use builder::MockServerBuilder;
pub use config::{
    DEFAULT_BODY_BUDGET, DEFAULT_BODY_BUDGET_WAIT, DEFAULT_BODY_LIMIT, DEFAULT_BODY_READ_TIMEOUT,
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MEDIA, DEFAULT_MAX_SESSIONS,
    DEFAULT_MEDIA_BUDGET, MockConfig,
};
pub use controls::{DECISION_HEADER, DELAY_HEADER, FAULT_HEADER, MAX_DELAY_MS};
pub use delivery::OutgoingWebhook;
pub use routes::router;
pub(crate) use routes::{ROUTES, Surface};
pub use server::{MockServer, serve};
pub use webhook_config::WebhookConfig;
