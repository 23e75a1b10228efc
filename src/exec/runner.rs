//! Runs scenarios: steps in order, one shared HTTP client (and connection pool)
//! for the whole run.

use std::time::Instant;

use serde_json::Value;

use super::env::Env;
use super::exchange::{Exchange, Response, SentRequest};
use super::outcome::{ErrorKind, Failure, Outcome, RunError, ScenarioResult, StepInfo};
use super::request;
use super::target::{MAX_RESPONSE_BYTES, Target};
use crate::check::{self, CheckKind, Mismatch};
use crate::spec::model::{CaptureFrom, Scenario};

/// Why a scenario that needs the mock's controls is not run elsewhere.
pub const NEEDS_MOCK: &str = "needs the embedded mock's controls (requires: [mock])";

/// Runs scenarios against one target.
///
/// ```no_run
/// # async fn example(scenario: veriff_conformance::spec::model::Scenario) {
/// use std::time::Duration;
/// use veriff_conformance::exec::{runner::Runner, target::Target, outcome::Outcome};
///
/// let runner = Runner::new(Target {
///     base_url: "https://stationapi.veriff.com".into(),
///     api_key: "my-api-key".into(),
///     shared_secret: "my-shared-secret".into(),
///     timeout: Duration::from_secs(30),
///     is_mock: false,
///     allow_insecure_http: false,
/// }).unwrap();
/// let result = runner.run(&scenario).await;
/// assert!(matches!(result.outcome, Outcome::Passed));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Runner {
    client: reqwest::Client,
    target: Target,
}

fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Runner {
    /// A runner with its own HTTP client; redirects are not followed, so that
    /// the checks see what the API answered.
    pub fn new(target: Target) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("veriff-conformance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", describe(&e)))?;
        Ok(Runner { client, target })
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Whether `scenario` is not run against this target: it needs the mock's
    /// controls and the target is not the mock.
    pub fn ignores(&self, scenario: &Scenario) -> bool {
        scenario.requires_mock() && !self.target.is_mock
    }

    /// Runs every step of `scenario` in order and checks each response.
    /// Stops at the first step with unmet expectations or an error.
    pub async fn run(&self, scenario: &Scenario) -> ScenarioResult {
        let started = Instant::now();
        let mut exchanges = Vec::new();
        let outcome = if self.ignores(scenario) {
            Outcome::Ignored(NEEDS_MOCK.into())
        } else {
            self.run_steps(scenario, &mut exchanges).await
        };
        ScenarioResult {
            outcome,
            exchanges,
            duration: started.elapsed(),
        }
    }

    async fn run_steps(&self, scenario: &Scenario, exchanges: &mut Vec<Exchange>) -> Outcome {
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
            let response = match self.send(&sent).await {
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
                mismatches = capture(step, &exchange.response, &mut env);
            }
            exchanges.push(exchange.clone());
            if !mismatches.is_empty() {
                return Outcome::Failed(Box::new(Failure {
                    step: info,
                    exchange,
                    mismatches,
                }));
            }
        }
        Outcome::Passed
    }

    async fn send(&self, sent: &SentRequest) -> Result<Response, (ErrorKind, String)> {
        let mut builder = self
            .client
            .request(sent.method.clone(), &sent.url)
            .timeout(self.target.timeout);
        for (name, value) in &sent.headers {
            builder = builder.header(name, value);
        }
        if sent.headers.iter().any(|(n, _)| n == "content-type") || !sent.body.is_empty() {
            builder = builder.body(sent.body.clone());
        }
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                (
                    ErrorKind::Timeout,
                    format!(
                        "no response within {} s (--timeout)",
                        self.target.timeout.as_secs_f64()
                    ),
                )
            } else if e.is_connect() {
                (
                    ErrorKind::Network,
                    format!("cannot connect: {}", describe(&e)),
                )
            } else {
                (ErrorKind::Network, describe(&e))
            }
        };
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err((
                    ErrorKind::Response,
                    format!(
                        "the response body is larger than {} MiB; stopped reading (status {status})",
                        MAX_RESPONSE_BYTES / (1024 * 1024)
                    ),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response::new(status, headers, body))
    }
}

fn capture(step: &crate::spec::model::Step, response: &Response, env: &mut Env) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for c in &step.captures {
        // On failure: the path looked at, and what was found instead.
        let value = match &c.from {
            CaptureFrom::Header(name) => response
                .header(name)
                .map(Value::String)
                .ok_or_else(|| (name.clone(), "absent".to_string())),
            CaptureFrom::Body(pointer) => match &response.json {
                Ok(body) => body
                    .pointer(pointer)
                    .cloned()
                    .ok_or_else(|| (super::env::json_path(pointer), "absent".to_string())),
                // Not "absent": the body is there, but it is not JSON.
                Err(why) => Err((super::env::json_path(pointer), why.clone())),
            },
        };
        match value {
            Ok(v) => env.set(c.name.clone(), v),
            Err((path, actual)) => out.push(Mismatch {
                check: CheckKind::Capture,
                path,
                expected: format!("a value to capture as `{}`", c.name),
                actual,
                at: c.at.clone(),
            }),
        }
    }
    out
}
