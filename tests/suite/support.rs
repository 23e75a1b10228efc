//! Shared helpers for the suite tests: the embedded mock started with a
//! layer that breaks one documented promise ([`Breakage`], in
//! `support/breakages.rs`), and helpers to run one embedded scenario and read the
//! failure it reports (`support/assert.rs`). `support/http.rs` reads requests and responses
//! whole for the breakages.

mod alternatives;
mod assert;
mod breakages;
mod http;

use std::time::Duration;

use veriff_conformance::Executor;
use veriff_conformance::Masker;
use veriff_conformance::Scenario;
use veriff_conformance::ScenarioResult;
use veriff_conformance::Target;
use veriff_conformance::load_embedded;
use veriff_conformance::mock::{MockConfig, MockServer, MockServerBuilder};
use veriff_conformance::{Inbox, WebhookReceiver, webhook_urls};

pub use alternatives::Alternative;
pub use assert::{failure_of, warnings_of};
pub use breakages::{Breakage, Endpoint};

/// The embedded mock, started with one breakage as a layer around its router.
/// Dropping it stops the mock.
pub struct BrokenMock {
    server: MockServer,
    base_url: String,
    /// Where the mock posts its webhooks, as a run against the embedded mock
    /// does.
    receiver: WebhookReceiver,
}

impl BrokenMock {
    /// Serves a fresh mock (fresh credentials) on 127.0.0.1 with `breakage`.
    pub async fn start(breakage: Breakage) -> BrokenMock {
        BrokenMock::layered(|builder, config| breakages::add(builder, breakage, config)).await
    }

    /// Serves a fresh mock (fresh credentials) on 127.0.0.1 that answers
    /// the documented `alternative` way.
    pub async fn answering(alternative: Alternative) -> BrokenMock {
        BrokenMock::layered(|builder, config| alternatives::add(builder, alternative, config)).await
    }

    async fn layered(
        add: impl FnOnce(MockServerBuilder, &MockConfig) -> MockServerBuilder,
    ) -> BrokenMock {
        let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
            .await
            .expect("start the webhook receiver");
        let config = posting_webhooks_to(&receiver);
        let builder = MockServer::builder().config(config.clone());
        let server = add(builder, &config).start().await.expect("start the mock");
        BrokenMock {
            base_url: server.base_url(),
            server,
            receiver,
        }
    }

    /// A runner for it, webhook steps awaiting what it posts.
    pub fn runner(&self) -> Executor {
        self.runner_with(self.target())
    }

    /// A runner for `target` (this mock, told it is not the mock, say),
    /// webhook steps awaiting what this mock posts.
    pub fn runner_with(&self, target: Target) -> Executor {
        Executor::new(target)
            .expect("runner")
            .awaiting_webhooks(self.receiver.inbox().clone(), self.receiver.url())
    }

    /// Runs one scenario against it.
    pub async fn run(&self, scenario: &Scenario) -> ScenarioResult {
        self.runner().run(scenario).await
    }

    /// A target for it. The mock's controls still work through the breakage,
    /// so `requires: [mock]` scenarios run.
    pub fn target(&self) -> Target {
        target(&self.base_url, self.config(), true)
    }

    /// Hides this mock's credentials.
    pub fn masker(&self) -> Masker {
        Masker::new([&self.config().api_key, &self.config().shared_secret])
    }

    pub fn config(&self) -> &MockConfig {
        self.server.config()
    }
}

/// A fresh mock config (fresh credentials) that posts every webhook to
/// `receiver`, as a run against the embedded mock does.
pub fn posting_webhooks_to(receiver: &WebhookReceiver) -> MockConfig {
    let mut config = MockConfig::generated();
    let (decision, event, watchlist) = webhook_urls(&receiver.url());
    config.webhooks.decision = Some(decision);
    config.webhooks.event = Some(event);
    config.webhooks.watchlist = Some(watchlist);
    config
}

/// A target with the mock's credentials.
pub fn target(base_url: &str, config: &MockConfig, is_mock: bool) -> Target {
    Target {
        base_url: base_url.to_string(),
        api_key: config.api_key.clone(),
        shared_secret: config.shared_secret.clone(),
        timeout: Duration::from_secs(10),
        is_mock,
        allow_insecure_http: false,
        features: Vec::new(),
    }
}

/// The embedded scenario with this trial name.
#[track_caller]
pub fn scenario(trial_name: &str) -> Scenario {
    let loaded = load_embedded();
    assert!(loaded.errors.is_empty(), "the embedded suite has errors");
    loaded
        .scenarios
        .into_iter()
        .find(|s| s.trial_name == trial_name)
        .unwrap_or_else(|| panic!("no embedded scenario is named {trial_name}"))
}

/// Runs one scenario against `target`.
pub async fn run(scenario: &Scenario, target: Target) -> ScenarioResult {
    Executor::new(target).expect("runner").run(scenario).await
}
