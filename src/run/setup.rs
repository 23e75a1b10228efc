//! The target of a run: the given base URL with its credentials, or the
//! embedded mock, started here with fresh credentials, when there is none.

use std::time::Duration;

use crate::exec::target::{Target, check_url};
use crate::mock::{MockConfig, MockServer};

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

    /// The target, and the embedded mock when the run starts one (stop it
    /// with [`MockServer::shutdown`] when the run is over).
    pub async fn resolve(&self) -> Result<(Target, Option<MockServer>), String> {
        let Some(url) = self.url() else {
            let server = MockServer::start(MockConfig::generated())
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
            return Ok((target, Some(server)));
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
        Ok((target, None))
    }
}
