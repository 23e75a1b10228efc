//! Runs one scenario: its steps in order, on one shared HTTP client (and
//! connection pool) for the whole run. Each response is checked by the pure
//! functions of [`crate::check`]; what was exchanged is recorded with secrets
//! masked. Mismatches and errors keep whole values (a check compares what came);
//! every report masks them, then shortens them.

use std::sync::Arc;
use std::time::Instant;

use super::http;
use super::request;
use super::target::Target;
use crate::check;
use crate::mask::Masker;
use crate::record::env::Env;
use crate::record::exchange::Exchange;
use crate::results::{ErrorKind, Failure, Outcome, RunError, ScenarioResult, StepInfo, StepResult};
use crate::spec::model::Scenario;

/// Why a scenario that needs the mock's controls is not run elsewhere.
pub const NEEDS_MOCK: &str = "needs the embedded mock's controls (requires: [mock])";

/// Runs scenarios against one target.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use veriff_conformance::exec::{runner::Runner, target::Target};
/// use veriff_conformance::mock::{MockConfig, MockServer};
/// use veriff_conformance::results::Outcome;
/// use veriff_conformance::spec::discover::load_embedded;
///
/// let mock = MockServer::start(MockConfig::generated()).await.unwrap();
/// let runner = Runner::new(Target {
///     base_url: mock.base_url(),
///     api_key: mock.config().api_key.clone(),
///     shared_secret: mock.config().shared_secret.clone(),
///     timeout: Duration::from_secs(30),
///     is_mock: true,
///     allow_insecure_http: false,
/// }).unwrap();
/// let scenario = &load_embedded().scenarios[0];
/// let result = runner.run(scenario).await;
/// assert!(matches!(result.outcome, Outcome::Passed), "{:?}", result.outcome);
/// assert_eq!(result.name, scenario.trial_name);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Runner {
    client: reqwest::Client,
    target: Target,
    masker: Masker,
}

impl Runner {
    /// A runner with its own HTTP client.
    pub fn new(target: Target) -> Result<Self, String> {
        let masker = Masker::new([target.api_key.as_str(), target.shared_secret.as_str()]);
        Ok(Runner {
            client: http::client()?,
            target,
            masker,
        })
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Hides this target's secrets.
    pub fn masker(&self) -> &Masker {
        &self.masker
    }

    /// Why `scenario` is not run against this target, if it is not: it needs
    /// the mock's controls and the target is not the mock.
    pub fn ignores(&self, scenario: &Scenario) -> Option<&'static str> {
        (scenario.requires_mock && !self.target.is_mock).then_some(NEEDS_MOCK)
    }

    /// Runs every step of `scenario` in order and checks each response.
    /// Stops at the first step with unmet expectations or an error.
    pub async fn run(&self, scenario: &Scenario) -> ScenarioResult {
        let started = Instant::now();
        let mut steps = Vec::new();
        let outcome = match self.ignores(scenario) {
            Some(reason) => Outcome::Ignored(reason.into()),
            None => self.run_steps(scenario, &mut steps).await,
        };
        ScenarioResult {
            name: scenario.trial_name.clone(),
            file: Arc::clone(&scenario.file),
            outcome,
            steps,
            duration: started.elapsed(),
        }
    }

    async fn run_steps(&self, scenario: &Scenario, steps: &mut Vec<StepResult>) -> Outcome {
        let mut env = Env::new(self.target.base_url.clone());
        for (name, t) in &scenario.vars {
            match env.render_value(&t.value, None) {
                Ok(v) => env.set(name.clone(), v),
                Err(e) => {
                    return Outcome::Errored(Box::new(RunError {
                        kind: ErrorKind::Spec,
                        step: None,
                        request_line: None,
                        message: format!("cannot fill in {e}"),
                        at: Some(t.at.clone()),
                    }));
                }
            }
        }
        for (index, step) in scenario.steps.iter().enumerate() {
            let info = StepInfo {
                number: index + 1,
                name: step.name.clone(),
                at: step.at.clone(),
            };
            let error = |kind, request_line: Option<String>, message: String, at| {
                Outcome::Errored(Box::new(RunError {
                    kind,
                    step: Some(info.clone()),
                    request_line,
                    message,
                    at,
                }))
            };
            let sent = match request::build(step, &env, &self.target) {
                Ok(sent) => sent,
                Err(e) => return error(ErrorKind::Spec, None, e.message, Some(e.at)),
            };
            let request_line = format!("{} {}", sent.method, sent.url);
            let started = Instant::now();
            let response = match http::send(&self.client, &self.target, &sent).await {
                Ok(r) => r,
                Err((kind, message)) => {
                    return error(
                        kind,
                        Some(request_line),
                        message,
                        Some(step.path.at.clone()),
                    );
                }
            };
            let exchange = Exchange {
                request: sent,
                response,
                elapsed: started.elapsed(),
            };
            let mut mismatches =
                check::check_step(&step.expect, &exchange, &env, &self.target.shared_secret);
            if mismatches.is_empty() {
                match check::capture::capture(&step.captures, &exchange.response) {
                    Ok(values) => values.into_iter().for_each(|(k, v)| env.set(k, v)),
                    Err(missing) => mismatches = missing,
                }
            }
            let exchange = exchange.into_masked(&self.masker);
            if !mismatches.is_empty() {
                steps.push(StepResult {
                    step: info.clone(),
                    exchange: exchange.clone(),
                });
                return Outcome::Failed(Box::new(Failure {
                    step: info,
                    exchange,
                    mismatches,
                }));
            }
            steps.push(StepResult {
                step: info,
                exchange,
            });
        }
        Outcome::Passed
    }
}
