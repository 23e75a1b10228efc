//! The target of a run: the given base URL with its credentials, or the
//! embedded mock, started here with fresh credentials, when there is none;
//! and the webhook receiver: on the address `--webhook-listen` names, or,
//! for the embedded mock, on a free loopback port the mock posts its
//! webhooks to.

use std::time::Duration;

use crate::exec::target::{Target, check_url};
use crate::inbox::listen::WebhookReceiver;
use crate::inbox::store::Inbox;
use crate::mock::{MockConfig, MockServer};

/// What a run sets up before anything runs; stop it with [`Setup::shutdown`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use veriff_conformance::TargetOptions;
///
/// // No base URL: the embedded mock, and a webhook receiver on loopback for it.
/// let setup = TargetOptions::default().resolve(None).await.unwrap();
/// assert!(setup.target.is_mock && setup.mock.is_some());
/// assert!(setup.receiver.as_ref().unwrap().url().starts_with("http://127.0.0.1:"));
/// setup.shutdown().await;
/// # }
/// ```
#[derive(Debug)]
pub struct Setup {
    /// Where requests go.
    pub target: Target,
    /// The embedded mock, when the run started one.
    pub mock: Option<MockServer>,
    /// The webhook receiver, when the run has one.
    pub receiver: Option<WebhookReceiver>,
}

impl Setup {
    /// Stops the mock and the receiver.
    pub async fn shutdown(self) {
        if let Some(mock) = self.mock {
            mock.shutdown().await;
        }
        if let Some(receiver) = self.receiver {
            receiver.shutdown().await;
        }
    }
}

/// The URLs the embedded mock posts each type of webhook to, on a receiver
/// listening at `receiver_url`: `(decision, event, watchlist)`. One path
/// per type, as Veriff's Customer Portal has one URL field per type; the
/// receiver tells types apart by the payload's shape anyway.
///
/// ```
/// use veriff_conformance::webhook_urls;
/// let (decision, event, watchlist) = webhook_urls("http://127.0.0.1:8090");
/// assert_eq!(decision, "http://127.0.0.1:8090/webhooks/decision");
/// assert_eq!(event, "http://127.0.0.1:8090/webhooks/event");
/// assert_eq!(watchlist, "http://127.0.0.1:8090/webhooks/watchlist");
/// ```
pub fn webhook_urls(receiver_url: &str) -> (String, String, String) {
    let base = receiver_url.trim_end_matches('/');
    (
        format!("{base}/webhooks/decision"),
        format!("{base}/webhooks/event"),
        format!("{base}/webhooks/watchlist"),
    )
}

/// The embedded mock's config, posting its webhooks to `receiver`.
fn mock_config(receiver: &WebhookReceiver) -> MockConfig {
    let mut config = MockConfig::generated();
    let (decision, event, watchlist) = webhook_urls(&receiver.url());
    config.webhooks.decision = Some(decision);
    config.webhooks.event = Some(event);
    config.webhooks.watchlist = Some(watchlist);
    config
}

/// Where the run sends requests and with what credentials, as the user gave them.
#[derive(Clone, Default)]
pub struct TargetOptions {
    /// Base URL of the API under test; `None` (or empty) for the embedded mock.
    pub base_url: Option<String>,
    /// The API key.
    pub api_key: Option<String>,
    /// The shared secret.
    pub shared_secret: Option<String>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Allow plain http:// to hosts other than loopback.
    pub allow_insecure_http: bool,
    /// The base URL is a `veriff-conformance mock`.
    pub target_is_mock: bool,
    /// Opt-in API features turned on (`--feature`).
    pub features: Vec<String>,
}

impl std::fmt::Debug for TargetOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetOptions")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

fn credential(value: Option<&str>, flag: &str, var: &str) -> Result<String, String> {
    match value {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(format!("a base URL needs {flag} (or {var})")),
    }
}

impl TargetOptions {
    /// The base URL, if one was given.
    fn url(&self) -> Option<&str> {
        self.base_url.as_deref().filter(|u| !u.is_empty())
    }

    /// The target for a run that sends nothing (`--list`): no mock is
    /// started and no credentials are needed.
    pub fn for_listing(&self) -> Result<Target, String> {
        let is_mock = match self.url() {
            Some(url) => {
                check_url(url, self.allow_insecure_http)?;
                self.target_is_mock
            }
            None => true,
        };
        Ok(Target {
            base_url: self.url().unwrap_or("http://127.0.0.1").to_string(),
            api_key: String::new(),
            shared_secret: String::new(),
            timeout: self.timeout,
            is_mock,
            allow_insecure_http: self.allow_insecure_http,
            features: self.features.clone(),
        })
    }

    /// The target, the embedded mock when the run starts one, and the
    /// webhook receiver when the run has one (stop them with
    /// [`Setup::shutdown`] when the run is over): on `webhook_listen`
    /// (`--webhook-listen`, e.g. `0.0.0.0:8090`) when given, else on a free
    /// loopback port for the embedded mock.
    pub async fn resolve(&self, webhook_listen: Option<&str>) -> Result<Setup, String> {
        let receiver = match (webhook_listen, self.url()) {
            (Some(addr), _) => Some(
                WebhookReceiver::start(addr, Inbox::default())
                    .await
                    .map_err(|e| format!("--webhook-listen {addr}: cannot listen: {e}"))?,
            ),
            (None, None) => Some(
                WebhookReceiver::start("127.0.0.1:0", Inbox::default())
                    .await
                    .map_err(|e| format!("cannot start the webhook receiver: {e}"))?,
            ),
            (None, Some(_)) => None,
        };
        let Some(url) = self.url() else {
            let config = match &receiver {
                Some(receiver) => mock_config(receiver),
                None => MockConfig::generated(),
            };
            let server = MockServer::start(config)
                .await
                .map_err(|e| format!("cannot start the embedded mock: {e}"))?;
            let target = Target {
                base_url: server.base_url(),
                api_key: server.config().api_key.clone(),
                shared_secret: server.config().shared_secret.clone(),
                timeout: self.timeout,
                is_mock: true,
                allow_insecure_http: false,
                features: self.features.clone(),
            };
            return Ok(Setup {
                target,
                mock: Some(server),
                receiver,
            });
        };
        check_url(url, self.allow_insecure_http)?;
        let api_key = credential(self.api_key.as_deref(), "--api-key", "VERIFF_API_KEY")?;
        if reqwest::header::HeaderValue::from_str(&api_key).is_err() {
            return Err("the value of --api-key (or VERIFF_API_KEY) has characters that an HTTP header cannot carry (a line break?)".into());
        }
        let shared_secret = credential(
            self.shared_secret.as_deref(),
            "--shared-secret",
            "VERIFF_SHARED_SECRET",
        )?;
        let target = Target {
            base_url: url.trim_end_matches('/').to_string(),
            api_key,
            shared_secret,
            timeout: self.timeout,
            is_mock: self.target_is_mock,
            allow_insecure_http: self.allow_insecure_http,
            features: self.features.clone(),
        };
        Ok(Setup {
            target,
            mock: None,
            receiver,
        })
    }
}
