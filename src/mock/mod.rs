//! The embedded, stateful mock of Veriff's session API.
//!
//! Sessions live in memory. Requests are authenticated like Veriff's API
//! (`X-AUTH-CLIENT`, and `X-HMAC-SIGNATURE` on signed routes), success
//! responses are signed with the shared secret, and every failure is a JSON
//! `{"status":"fail","code":"<digits>","message":"..."}` body.
//!
//! | route | auth | success |
//! |---|---|---|
//! | `POST /v1/sessions` | API key | 201, session `created` |
//! | `POST /v1/sessions/{id}/media` | API key, signed body | 201 while `created`/`started`, 409 after submit |
//! | `PATCH /v1/sessions/{id}` | API key, signed body | 200, session `submitted` |
//! | `GET /v1/sessions/{id}/decision` | API key, signed id | 200, `verification: null` |
//! | `GET /v/{sessionToken}` | none (the end user's browser) | 200, `created` becomes `started` |
//!
//! Mock-only controls: [`FAULT_HEADER`] and [`DELAY_HEADER`]. The mock logs
//! nothing, so the API key and shared secret never reach a log.
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

mod auth;
mod body;
mod config;
mod controls;
mod handlers;
mod responses;
mod server;
mod state;
mod validate;

pub use config::{DEFAULT_BODY_LIMIT, DEFAULT_MAX_SESSIONS, MockConfig};
pub use controls::{DELAY_HEADER, FAULT_HEADER, MAX_DELAY_MS};
pub use server::{MockServer, router, serve};
