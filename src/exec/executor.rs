//! Runs one scenario: its steps in order, on one shared HTTP client (and
//! connection pool) for the whole run. Each response is checked by the pure
//! functions of [`crate::check`]; what was exchanged is recorded, and masked
//! once the scenario ends (only what its result keeps). Mismatches and errors keep whole values (a check compares what came);
//! every report masks them, then shortens them.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::http;
use super::request;
use super::run_values::RunValue;
use super::target::Target;
use super::throttle::{Rate, Throttle};
use super::webhook::{await_webhook, key_warning};
use crate::check::{self, Mismatch, Warning};
use crate::inbox::store::Inbox;
use crate::mask::Masker;
use crate::record::env::Env;
use crate::record::exchange::{Exchange, SentRequest};
use crate::results::{
    Attempts, ErrorKind, Failure, GroupPlace, Outcome, Polling, RunError, ScenarioResult, StepInfo,
    StepResult,
};
use crate::scenario::model::{AwaitWebhook, Group, Poll, Scenario, Step};

/// Runs scenarios against one target.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use veriff_conformance::{Executor, Target};
/// use veriff_conformance::mock::{MockConfig, MockServer};
/// use veriff_conformance::Outcome;
/// use veriff_conformance::load_embedded;
///
/// let mock = MockServer::start(MockConfig::generated()).await.unwrap();
/// let runner = Executor::new(Target {
///     base_url: mock.base_url(),
///     api_key: mock.config().api_key.clone(),
///     shared_secret: mock.config().shared_secret.clone(),
///     timeout: Duration::from_secs(30),
///     is_mock: true,
///     allow_insecure_http: false,
///     features: vec![],
/// }).unwrap();
/// let scenario = &load_embedded().scenarios[0];
/// let result = runner.run(scenario).await;
/// assert!(matches!(result.outcome, Outcome::Passed), "{:?}", result.outcome);
/// assert_eq!(result.name, scenario.trial_name);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Executor {
    /// Built on first use ([`Executor::client`]), and shared by every clone.
    client: Arc<OnceLock<reqwest::Client>>,
    target: Target,
    masker: Masker,
    throttle: Arc<Throttle>,
    /// Whether a passed scenario's result keeps every step (the default), or
    /// only those with a warning or a retry to show.
    keep_passed_steps: bool,
    /// Where webhook steps await their webhooks, and the receiver's URL.
    webhooks: Option<(Inbox, Arc<str>)>,
    /// `${run.NAME}` values beyond `base_url`.
    run_values: Arc<[RunValue]>,
    /// How many scenarios have started: which of a [`RunValue`]'s values in turn is next.
    started: Arc<AtomicUsize>,
    /// An answer slower than this is a warning.
    answer_budget: Option<Duration>,
}

/// Why a webhook step cannot run without a receiver.
pub const NEEDS_RECEIVER: &str = "needs a webhook receiver: run --webhook-listen ADDR";

/// An outcome that ends the scenario: a failure or an error.
type Stop = Outcome;

fn errored(
    kind: ErrorKind,
    step: &StepInfo,
    request_line: Option<String>,
    message: String,
    at: Option<Range<usize>>,
) -> Stop {
    Outcome::Errored(Box::new(RunError {
        kind,
        step: Some(step.clone()),
        request_line,
        message,
        at,
    }))
}

impl Executor {
    /// A runner with its own HTTP client, under the default rate cap for
    /// the target ([`Rate::default_for`]).
    pub fn new(target: Target) -> Result<Self, String> {
        let runner = Executor::unconnected(target);
        runner.client()?;
        Ok(runner)
    }

    /// A runner like [`Executor::new`]'s that builds its HTTP client only when
    /// it first needs it: building one reads the system's CA certificates,
    /// which a run that only lists its scenarios never needs.
    pub(crate) fn unconnected(target: Target) -> Self {
        let masker = Masker::new([target.api_key.as_str(), target.shared_secret.as_str()]);
        let rate = Rate::default_for(&target.base_url);
        Executor {
            client: Arc::new(OnceLock::new()),
            target,
            masker,
            throttle: Arc::new(Throttle::new(rate)),
            keep_passed_steps: true,
            webhooks: None,
            run_values: Arc::new([]),
            started: Arc::new(AtomicUsize::new(0)),
            answer_budget: None,
        }
    }

    /// The runner's HTTP client, one for the whole run and all its clones;
    /// built on the first call.
    pub(crate) fn client(&self) -> Result<&reqwest::Client, String> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let built = http::client()?;
        Ok(self.client.get_or_init(|| built))
    }

    /// This runner, with webhook steps awaiting their webhooks in `inbox`,
    /// which a receiver listening at `receiver_url` fills (see
    /// [`crate::inbox::listen::WebhookReceiver`]). Without it, a webhook step
    /// is an error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use veriff_conformance::{Executor, Inbox, Outcome, Target, WebhookReceiver, signing};
    /// use veriff_conformance::{Files, Loader, SourceFile};
    ///
    /// let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default()).await.unwrap();
    /// let target = Target {
    ///     base_url: "http://127.0.0.1:9".into(),
    ///     api_key: "key".into(),
    ///     shared_secret: "secret".into(),
    ///     timeout: Duration::from_secs(5),
    ///     is_mock: false,
    ///     allow_insecure_http: false,
    ///     features: vec![],
    /// };
    /// let runner = Executor::new(target).unwrap()
    ///     .awaiting_webhooks(receiver.inbox().clone(), receiver.url());
    /// let file = SourceFile::new("w.yaml", "w.yaml", r#"
    /// scenarios:
    ///   - name: the decision arrives
    ///     vars: { id: s-1 }
    ///     steps:
    ///       - name: approved
    ///         webhook: { type: decision, session: "${id}", within: 5s }
    ///         expect: { body: { verification: { status: approved } } }
    /// "#);
    /// let (scenarios, errors) = Loader::new(Files::Disk).load(&file, "w");
    /// assert!(errors.is_empty(), "{errors:?}");
    /// // The webhook may arrive before the step starts.
    /// let body = r#"{"status":"success","verification":{"id":"s-1","status":"approved"}}"#;
    /// reqwest::Client::new()
    ///     .post(format!("{}/decision", receiver.url()))
    ///     .header("X-AUTH-CLIENT", "key")
    ///     .header("X-HMAC-SIGNATURE", signing::sign("secret", body.as_bytes()))
    ///     .body(body)
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// let result = runner.run(&scenarios[0]).await;
    /// assert!(matches!(result.outcome, Outcome::Passed), "{:?}", result.outcome);
    /// # }
    /// ```
    pub fn awaiting_webhooks(mut self, inbox: Inbox, receiver_url: impl Into<String>) -> Self {
        self.webhooks = Some((inbox, Arc::from(receiver_url.into())));
        self
    }

    /// Whether webhook steps have an inbox to await their webhooks in.
    pub fn has_webhook_receiver(&self) -> bool {
        self.webhooks.is_some()
    }

    /// This runner, giving its scenarios these `${run.NAME}` values.
    pub fn with_run_values(mut self, values: Vec<RunValue>) -> Self {
        self.run_values = values.into();
        self
    }

    /// This runner, warning of every answer that takes longer than `budget`.
    pub fn with_answer_budget(mut self, budget: Duration) -> Self {
        self.answer_budget = Some(budget);
        self
    }

    /// The warnings about one exchange of `step`: its checks', and the answer time.
    fn warnings(&self, step: &Step, exchange: &Exchange, env: &Env) -> Vec<Warning> {
        let mut warnings =
            check::warn_step(&step.expect, exchange, env, &self.target.shared_secret);
        if let Some(budget) = self.answer_budget {
            warnings.extend(check::timing::warning(budget, exchange, &step.at));
        }
        warnings
    }

    /// This runner, keeping in a passed scenario's result only the steps
    /// with a warning or a retry to show (see
    /// [`ScenarioResult::drop_plain_passed_steps`]) when `keep` is false: the
    /// others are dropped before they are masked, which a run of many
    /// scenarios need not pay for.
    pub fn keeping_passed_steps(mut self, keep: bool) -> Self {
        self.keep_passed_steps = keep;
        self
    }

    /// This runner with another rate cap (`--rate`), shared by every clone of it.
    pub fn with_rate(mut self, rate: Rate) -> Self {
        self.throttle = Arc::new(Throttle::new(rate));
        self
    }

    /// The rate cap.
    pub fn rate(&self) -> Rate {
        self.throttle.rate()
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Hides this target's secrets.
    pub fn masker(&self) -> &Masker {
        &self.masker
    }

    /// Runs every step of `scenario` in order and checks each response.
    /// Stops at the first step with unmet expectations or an error.
    pub async fn run(&self, scenario: &Scenario) -> ScenarioResult {
        let started = Instant::now();
        let mut steps = Vec::new();
        let outcome = self.run_steps(scenario, &mut steps).await;
        let mut result = ScenarioResult {
            name: scenario.trial_name.clone(),
            file: Arc::clone(&scenario.file),
            outcome,
            steps,
            duration: started.elapsed(),
            drift: None,
            explained: None,
        };
        if !self.keep_passed_steps {
            result.drop_plain_passed_steps();
        }
        // Exchanges are recorded as they came, and masked once kept.
        result.into_masked(&self.masker)
    }

    async fn run_steps(&self, scenario: &Scenario, steps: &mut Vec<StepResult>) -> Outcome {
        let mut env = Env::new(self.target.base_url.clone());
        let turn = self.started.fetch_add(1, Ordering::Relaxed);
        for value in self.run_values.iter() {
            if let Some(text) = value.value_for(turn) {
                env = env.with_run_value(value.name.clone(), text);
            }
        }
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
            if let Err(stop) = self.run_step(step, &info, &mut env, steps).await {
                return stop;
            }
        }
        Outcome::Passed
    }

    /// One step: one exchange, its checks and captures.
    async fn run_step(
        &self,
        step: &Step,
        info: &StepInfo,
        env: &mut Env,
        steps: &mut Vec<StepResult>,
    ) -> Result<(), Stop> {
        if let Some(awaited) = &step.webhook {
            return self.run_webhook(step, awaited, info, env, steps).await;
        }
        if let Some(poll) = &step.retry {
            return self.run_poll(step, poll, info, env, steps).await;
        }
        if let Some(group) = &step.group {
            return self.run_group(step, group, info, env, steps).await;
        }
        let (exchange, attempts) = self.exchange(step, info, env).await?;
        self.conclude(step, info, env, exchange, attempts, steps)
    }

    /// A step that awaits a webhook ([`await_webhook`]): the webhook it took
    /// is recorded as its exchange, and its captures are kept.
    async fn run_webhook(
        &self,
        step: &Step,
        awaited: &AwaitWebhook,
        info: &StepInfo,
        env: &mut Env,
        steps: &mut Vec<StepResult>,
    ) -> Result<(), Stop> {
        let Some((inbox, receiver)) = &self.webhooks else {
            return Err(errored(
                ErrorKind::Spec,
                info,
                None,
                format!("this step awaits a webhook, and the run {NEEDS_RECEIVER}"),
                Some(awaited.at.clone()),
            ));
        };
        let session = env
            .render_string(&awaited.session.value, None)
            .map_err(|e| {
                errored(
                    ErrorKind::Spec,
                    info,
                    None,
                    format!("cannot fill in {e}"),
                    Some(awaited.session.at.clone()),
                )
            })?;
        let judged = await_webhook(
            inbox,
            receiver,
            step,
            awaited,
            &session,
            env,
            &self.target.shared_secret,
        )
        .await;
        if !judged.came {
            // None came: nothing was received, so nothing is kept as the step's exchange.
            return Err(Outcome::Failed(Box::new(Failure {
                step: info.clone(),
                exchange: judged.exchange,
                mismatches: judged.mismatches,
                later: Vec::new(),
            })));
        }
        judged.captures.into_iter().for_each(|(k, v)| env.set(k, v));
        let warning = key_warning(awaited, &judged.exchange.response, &self.target.api_key);
        let recorded = self.record(
            step,
            info,
            env,
            judged.exchange,
            Attempts::default(),
            judged.mismatches,
            steps,
        );
        if let (Some(w), Some(last)) = (warning, steps.last_mut()) {
            last.warnings.push(w);
        }
        recorded
    }

    /// A step with `retry:`: sent again, `every` apart, until its answer meets
    /// `until` or sending again would pass `for`. The answer that met `until`
    /// is then checked against `expect`, as any step's; when none did, the step
    /// fails with the last answer and what of `until` it did not meet. The
    /// request is built afresh for each attempt (`${gen.*}` values are new).
    async fn run_poll(
        &self,
        step: &Step,
        poll: &Poll,
        info: &StepInfo,
        env: &mut Env,
        steps: &mut Vec<StepResult>,
    ) -> Result<(), Stop> {
        let started = Instant::now();
        let deadline = started + poll.within.value;
        let mut count = 0;
        let mut retries = Vec::new();
        loop {
            count += 1;
            let (exchange, attempts) = self.exchange(step, info, env).await?;
            retries.extend(attempts.retries);
            let unmet = check::check_step(&poll.until, &exchange, env, &self.target.shared_secret);
            let converged = unmet.is_empty();
            if converged || Instant::now() + poll.every.value > deadline {
                let attempts = Attempts {
                    retries,
                    not_retried: attempts.not_retried,
                    polling: Some(Polling {
                        attempts: count,
                        elapsed: started.elapsed(),
                        converged,
                    }),
                    group: None,
                };
                return if converged {
                    self.conclude(step, info, env, exchange, attempts, steps)
                } else {
                    self.record(step, info, env, exchange, attempts, unmet, steps)
                };
            }
            tokio::time::sleep(poll.every.value).await;
        }
    }

    /// A step with `repeat:`: every request is built first, then sent, all
    /// at the same moment (`concurrently: true`, taking their rate slots
    /// together) or one after another. Each answer is checked against
    /// `expect`, and all of them against `expect_group`. Every exchange is
    /// recorded, in the order the requests were built.
    async fn run_group(
        &self,
        step: &Step,
        group: &Group,
        info: &StepInfo,
        env: &Env,
        steps: &mut Vec<StepResult>,
    ) -> Result<(), Stop> {
        let size = group.size.value;
        let mut built = Vec::with_capacity(size);
        for _ in 0..size {
            built.push(
                request::build(step, env, &self.target)
                    .map_err(|e| errored(ErrorKind::Spec, info, None, e.message, Some(e.at)))?,
            );
        }
        let answers: Vec<http::Sent> = if group.concurrently {
            self.throttle
                .acquire(u32::try_from(size).unwrap_or(u32::MAX))
                .await;
            let tasks: Vec<_> = built
                .iter()
                .map(|sent| {
                    let (client, target) = (self.client().cloned(), self.target.clone());
                    let (throttle, sent) = (Arc::clone(&self.throttle), sent.clone());
                    tokio::spawn(async move {
                        match client {
                            Ok(client) => {
                                http::send_politely(&client, &target, &throttle, &sent, true).await
                            }
                            Err(e) => http::Sent::unsent(e),
                        }
                    })
                })
                .collect();
            let mut answers = Vec::with_capacity(size);
            for task in tasks {
                answers.push(task.await.unwrap_or_else(|e| http::Sent {
                    result: Err((
                        ErrorKind::Network,
                        format!("harness error: the request's task ended without an answer ({e})"),
                    )),
                    retries: Vec::new(),
                    not_retried: None,
                    elapsed: Default::default(),
                }));
            }
            answers
        } else {
            let mut answers = Vec::with_capacity(size);
            for sent in &built {
                answers.push(match self.client() {
                    Ok(client) => {
                        http::send_politely(client, &self.target, &self.throttle, sent, false).await
                    }
                    Err(e) => http::Sent::unsent(e),
                });
            }
            answers
        };
        let mut exchanges = Vec::with_capacity(size);
        let mut first_error = None;
        for (index, (sent, answer)) in built.into_iter().zip(answers).enumerate() {
            match self.answered(step, info, sent.sent, answer) {
                Ok((exchange, mut attempts)) => {
                    attempts.group = Some(GroupPlace {
                        index: index + 1,
                        of: size,
                        concurrently: group.concurrently,
                    });
                    exchanges.push((exchange, attempts));
                }
                Err(stop) => {
                    first_error.get_or_insert(stop);
                }
            }
        }
        let mut mismatches = Vec::new();
        let mut telling = None;
        for (i, (exchange, _)) in exchanges.iter().enumerate() {
            let own = check::check_step(&step.expect, exchange, env, &self.target.shared_secret);
            if !own.is_empty() {
                telling.get_or_insert(i);
            }
            mismatches.extend(own.into_iter().map(|mut m| {
                m.path = format!("#{} {}", i + 1, m.path).trim_end().to_string();
                m
            }));
        }
        if first_error.is_none() && !group.buckets.is_empty() {
            let all: Vec<&Exchange> = exchanges.iter().map(|(e, _)| e).collect();
            let verdict =
                check::group::check(&group.buckets, &all, env, &self.target.shared_secret);
            mismatches.extend(verdict.mismatches);
            telling = telling.or(verdict.telling);
        }
        let mut shown = None;
        for (i, (exchange, attempts)) in exchanges.into_iter().enumerate() {
            let warnings = self.warnings(step, &exchange, env);
            if telling.unwrap_or(0) == i {
                shown = Some(exchange.clone());
            }
            steps.push(StepResult {
                step: info.clone(),
                exchange,
                attempts,
                warnings,
            });
        }
        if let Some(stop) = first_error {
            return Err(stop);
        }
        match shown {
            Some(exchange) if !mismatches.is_empty() => Err(Outcome::Failed(Box::new(Failure {
                step: info.clone(),
                exchange,
                mismatches,
                later: Vec::new(),
            }))),
            _ => Ok(()),
        }
    }

    /// Checks the step's `expect` on `exchange`, takes its captures, records it.
    fn conclude(
        &self,
        step: &Step,
        info: &StepInfo,
        env: &mut Env,
        exchange: Exchange,
        attempts: Attempts,
        steps: &mut Vec<StepResult>,
    ) -> Result<(), Stop> {
        let mut mismatches =
            check::check_step(&step.expect, &exchange, env, &self.target.shared_secret);
        if mismatches.is_empty() {
            match check::capture::capture(&step.captures, &exchange.response) {
                Ok(values) => values.into_iter().for_each(|(k, v)| env.set(k, v)),
                Err(missing) => mismatches = missing,
            }
        }
        self.record(step, info, env, exchange, attempts, mismatches, steps)
    }

    /// Keeps the exchange in the results (masked when the scenario ends); a failure when `mismatches` has any.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        step: &Step,
        info: &StepInfo,
        env: &Env,
        exchange: Exchange,
        attempts: Attempts,
        mismatches: Vec<Mismatch>,
        steps: &mut Vec<StepResult>,
    ) -> Result<(), Stop> {
        let warnings = self.warnings(step, &exchange, env);
        let failure = (!mismatches.is_empty()).then(|| {
            Outcome::Failed(Box::new(Failure {
                step: info.clone(),
                exchange: exchange.clone(),
                mismatches,
                later: Vec::new(),
            }))
        });
        steps.push(StepResult {
            step: info.clone(),
            exchange,
            attempts,
            warnings,
        });
        failure.map_or(Ok(()), Err)
    }

    /// Builds the step's request and sends it under the rate cap, retrying
    /// after `Retry-After`. An error when there is no answer.
    async fn exchange(
        &self,
        step: &Step,
        info: &StepInfo,
        env: &Env,
    ) -> Result<(Exchange, Attempts), Stop> {
        let built = request::build(step, env, &self.target)
            .map_err(|e| errored(ErrorKind::Spec, info, None, e.message, Some(e.at)))?;
        let answer = match self.client() {
            Ok(client) => {
                http::send_politely(client, &self.target, &self.throttle, &built, false).await
            }
            Err(e) => http::Sent::unsent(e),
        };
        self.answered(step, info, built.sent, answer)
    }

    /// The exchange of one sent request, or the error that stopped it.
    fn answered(
        &self,
        step: &Step,
        info: &StepInfo,
        request: SentRequest,
        answer: http::Sent,
    ) -> Result<(Exchange, Attempts), Stop> {
        match answer.result {
            Ok(response) => Ok((
                Exchange {
                    request,
                    response,
                    elapsed: answer.elapsed,
                },
                Attempts {
                    retries: answer.retries,
                    not_retried: answer.not_retried,
                    ..Attempts::default()
                },
            )),
            Err((kind, mut message)) => {
                if !answer.retries.is_empty() {
                    let statuses: Vec<String> = answer
                        .retries
                        .iter()
                        .map(|r| r.status.to_string())
                        .collect();
                    message.push_str(&format!(
                        " (after {} retr{} on Retry-After: {})",
                        answer.retries.len(),
                        if answer.retries.len() == 1 {
                            "y"
                        } else {
                            "ies"
                        },
                        statuses.join(", ")
                    ));
                }
                Err(errored(
                    kind,
                    info,
                    Some(format!("{} {}", request.method, request.url)),
                    message,
                    Some(step.path.at.clone()),
                ))
            }
        }
    }
}
