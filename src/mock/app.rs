//! The state every route shares: the config, the public host, the session
//! store, the body budget and the webhook deliveries.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::auth::Scheme;
use super::config::MockConfig;
use super::delivery::{Deliveries, Tamper};
use super::outbox::WebhookOutbox;
use super::request_body::BodyBudget;
use super::response::{Signing, signed_response};
use super::state::Store;

/// Shared state of one mock.
pub(crate) struct App {
    pub(crate) config: MockConfig,
    /// Public host, without a trailing `/`.
    pub(crate) host: String,
    pub(crate) store: Store,
    /// Request body bytes held in memory at once, over all requests.
    pub(crate) body_budget: BodyBudget,
    /// Webhooks sent and being sent; the store tells it its changes.
    pub(crate) deliveries: Arc<Deliveries>,
}

/// The state as handlers extract it.
pub(crate) type Shared = State<Arc<App>>;

impl App {
    /// The state of a new mock: an empty store, sized by `config`. Session
    /// `host`s are [`MockConfig::host`], else `public_base_url`. Webhooks go
    /// through `tamper`, when given, before they are sent.
    pub(crate) fn new(config: MockConfig, public_base_url: String, tamper: Option<Tamper>) -> Self {
        let host = config
            .host
            .clone()
            .unwrap_or(public_base_url)
            .trim_end_matches('/')
            .to_owned();
        let deliveries = Arc::new(Deliveries::new(&config, tamper));
        Self {
            store: Store::new(config.max_sessions, config.max_media, config.media_budget)
                .with_outbox(Arc::new(WebhookOutbox(Arc::clone(&deliveries)))),
            deliveries,
            body_budget: BodyBudget::with_read_timeout(
                config.body_budget,
                config.body_limit,
                config.body_budget_wait,
                config.body_read_timeout,
            ),
            config,
            host,
        }
    }

    /// How responses to a request signed with `scheme` are signed.
    pub(crate) fn signing(&self, scheme: Scheme) -> Signing<'_> {
        Signing {
            api_key: &self.config.api_key,
            shared_secret: &self.config.shared_secret,
            legacy: scheme == Scheme::Legacy,
            vrf: false,
        }
    }

    /// A signed JSON answer, signed the way the request was.
    pub(crate) fn signed(&self, scheme: Scheme, status: StatusCode, body: &Value) -> Response {
        signed_response(self.signing(scheme), status, body)
    }
}
