//! The results of a run as data: per scenario its outcome (a pass, an ignore,
//! a failure: the API does not conform, or an error: the spec, the network or
//! the harness broke), every step's exchange with secrets masked, and the
//! unmet expectations, the warnings, and the drift from a recorded baseline
//! ([`crate::drift`]). Every report reads these; none runs anything.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use crate::check::{Mismatch, Warning};
use crate::drift::baseline::Baseline;
use crate::drift::findings::{
    ChangeGroup, DriftClass, RunDrift, ScenarioDrift, StepDrift, group_changes,
};
use crate::drift::{self, Ran, gate};
use crate::mask::Masker;
use crate::record::exchange::Exchange;
pub use crate::record::exchange::StepInfo;
use crate::scenario::error::SpecError;
use crate::scenario::model::Scenario;
use crate::scenario::source::SourceFile;

/// The API did not conform: every unmet expectation of one step, and of
/// each later step when the failure spans several (drift, or warnings
/// denied by `--deny-drift`, found in more than one step).
#[derive(Debug, Clone)]
pub struct Failure {
    /// The step.
    pub step: StepInfo,
    /// What was sent and received.
    pub exchange: Exchange,
    /// Every unmet expectation.
    pub mismatches: Vec<Mismatch>,
    /// The later steps with unmet expectations, in step order, each with its
    /// own exchange (their own `later` is empty). Empty when the failure is
    /// one step's.
    pub later: Vec<Failure>,
}

impl Failure {
    /// This step's failure, then each later step's, in step order.
    pub fn by_step(&self) -> impl Iterator<Item = &Failure> {
        std::iter::once(self).chain(self.later.iter())
    }

    /// Unmet expectations over every step.
    pub fn count(&self) -> usize {
        self.by_step().map(|f| f.mismatches.len()).sum()
    }

    fn into_masked(self, masker: &Masker) -> Failure {
        Failure {
            exchange: self.exchange.into_masked(masker),
            later: self
                .later
                .into_iter()
                .map(|f| f.into_masked(masker))
                .collect(),
            ..self
        }
    }
}

/// Why a run could not judge the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The spec is wrong in a way only visible when it runs (an unset variable, say).
    Spec,
    /// No response within the timeout.
    Timeout,
    /// The connection could not be made or broke.
    Network,
    /// The response could not be taken in (too large, say).
    Response,
}

impl ErrorKind {
    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Spec => "spec error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network error",
            ErrorKind::Response => "response error",
        }
    }
}

/// The spec, the network or the harness broke.
#[derive(Debug, Clone)]
pub struct RunError {
    /// What kind.
    pub kind: ErrorKind,
    /// The step, when there is one.
    pub step: Option<StepInfo>,
    /// `METHOD URL` of the request, when one was made.
    pub request_line: Option<String>,
    /// What went wrong.
    pub message: String,
    /// Where in the spec it points (byte range), when it does.
    pub at: Option<Range<usize>>,
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every expectation of every step was met.
    Passed,
    /// Not run, and why.
    Ignored(String),
    /// The API did not conform.
    Failed(Box<Failure>),
    /// The run could not judge the API.
    Errored(Box<RunError>),
}

/// One step that sent a request: which step, and what was exchanged.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// The step.
    pub step: StepInfo,
    /// What was sent and received, secrets masked (the last answer, when
    /// the request was retried or polled).
    pub exchange: Exchange,
    /// How the exchange came about beyond a single send: retries after
    /// `Retry-After`, polling, its place in a group.
    pub attempts: Attempts,
    /// What the checks noticed without failing the step.
    pub warnings: Vec<Warning>,
}

/// How a step's exchange came about when it took more than one send.
/// Reports show all of it: no retry is hidden.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attempts {
    /// 429 and 503 answers that were retried after their `Retry-After`, in order.
    pub retries: Vec<Retry>,
    /// Why the last 429 or 503 answer with a `Retry-After` was not retried,
    /// when it was not (the retry bound was reached, or the delay asked for is too long).
    pub not_retried: Option<String>,
    /// The step's `retry:` polling, when it has one.
    pub polling: Option<Polling>,
    /// The exchange's place in a `repeat:` group, when the step has one.
    pub group: Option<GroupPlace>,
}

impl Attempts {
    /// Whether anything beyond a single send happened.
    pub fn is_plain(&self) -> bool {
        self == &Attempts::default()
    }
}

/// A 429 or 503 answer retried after the delay its `Retry-After` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// The status of the answer that was retried.
    pub status: u16,
    /// Its `Retry-After` header, as sent.
    pub retry_after: String,
    /// How long the harness waited before sending again.
    pub delay: Duration,
}

/// A step polled with `retry:` until its `until` expectations held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polling {
    /// Requests sent (1 when the first answer already held).
    pub attempts: u32,
    /// From the first request to the last answer.
    pub elapsed: Duration,
    /// Whether `until` held before `for` ran out.
    pub converged: bool,
}

/// One exchange of a `repeat:` group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupPlace {
    /// 1-based position in the group, in the order the requests were built.
    pub index: usize,
    /// The group's size.
    pub of: usize,
    /// Whether the group was sent at the same moment (`concurrently: true`).
    pub concurrently: bool,
}

/// What one scenario did.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The trial name (`file::scenario`), stable from run to run.
    pub name: String,
    /// The spec file the scenario is written in; messages point into it.
    pub file: Arc<SourceFile>,
    /// The outcome.
    pub outcome: Outcome,
    /// Every step that sent a request, in order, with its exchange (secrets masked).
    pub steps: Vec<StepResult>,
    /// Wall time of the scenario.
    pub duration: Duration,
    /// How it differs from the recorded baseline; `None` when the run compares with none.
    pub drift: Option<ScenarioDrift>,
    /// What a failure message adds when the user may have no copy of the
    /// spec file (the receiver suite, compiled into the binary); `None`: the
    /// message is the usual one.
    pub explained: Option<Explained>,
}

/// What a failure message of a scenario adds, besides the usual: the
/// scenario's description, each failing step's request as it was sent
/// (headers and body, masked and cut), and the step's lines of the spec,
/// rendered from the text the run loaded (the embedded one for a built-in
/// suite).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explained {
    /// The scenario's `description:`, if it has one.
    pub description: Option<String>,
}

impl ScenarioResult {
    /// Drops the steps of a passed scenario that nothing reads again: every
    /// step but those with a warning or a retry to show. A scenario that did
    /// not pass keeps all its steps.
    pub fn drop_plain_passed_steps(&mut self) {
        if matches!(self.outcome, Outcome::Passed) {
            self.steps
                .retain(|s| !s.warnings.is_empty() || !s.attempts.is_plain());
            self.steps.shrink_to_fit();
        }
    }

    /// This result with every secret `masker` knows replaced in each kept
    /// exchange: the steps' and the failure's.
    pub fn into_masked(mut self, masker: &Masker) -> Self {
        self.steps = std::mem::take(&mut self.steps)
            .into_iter()
            .map(|s| StepResult {
                exchange: s.exchange.into_masked(masker),
                ..s
            })
            .collect();
        if let Outcome::Failed(failure) = self.outcome {
            self.outcome = Outcome::Failed(Box::new(failure.into_masked(masker)));
        }
        self
    }

    /// A result for a scenario that sent nothing.
    pub fn without_steps(name: impl Into<String>, file: Arc<SourceFile>, outcome: Outcome) -> Self {
        ScenarioResult {
            name: name.into(),
            file,
            outcome,
            steps: Vec::new(),
            duration: Duration::ZERO,
            drift: None,
            explained: None,
        }
    }

    /// Every warning, with its step, in order.
    pub fn warnings(&self) -> impl Iterator<Item = (&StepInfo, &Warning)> {
        self.steps
            .iter()
            .flat_map(|s| s.warnings.iter().map(move |w| (&s.step, w)))
    }

    /// The findings of each step that has any (its drift, its warnings), in
    /// step order: what every report lists under a scenario. A step of a
    /// `repeat:` group has the warnings of all its answers.
    pub fn findings_by_step(&self) -> Vec<StepFindings<'_>> {
        let drift_steps = self.drift.iter().flat_map(|d| d.steps.iter());
        let mut numbers: Vec<usize> = drift_steps.clone().map(|s| s.step.number).collect();
        numbers.extend(
            self.steps
                .iter()
                .filter(|s| !s.warnings.is_empty())
                .map(|s| s.step.number),
        );
        numbers.sort_unstable();
        numbers.dedup();
        numbers
            .into_iter()
            .filter_map(|n| {
                let drift = drift_steps.clone().find(|s| s.step.number == n);
                let ran: Vec<&StepResult> =
                    self.steps.iter().filter(|s| s.step.number == n).collect();
                let step = drift.map(|d| &d.step).or(ran.first().map(|r| &r.step))?;
                Some(StepFindings {
                    step,
                    drift,
                    warnings: ran.iter().flat_map(|r| r.warnings.iter()).collect(),
                })
            })
            .collect()
    }

    /// This result as drift reads it: its name, whether it passed, and each
    /// step's exchange.
    pub fn ran(&self) -> Ran<'_> {
        Ran {
            name: &self.name,
            passed: matches!(self.outcome, Outcome::Passed),
            steps: self.steps.iter().map(|s| (&s.step, &s.exchange)).collect(),
        }
    }

    /// Compares this result of `scenario` with `baseline` (when the run has
    /// one), then lets its drift and warnings fail it (the drift gate,
    /// `drift/gate.rs`). An ignored
    /// scenario is left as it is.
    pub fn judge_drift(
        &mut self,
        scenario: &Scenario,
        baseline: Option<&Baseline>,
        base_url: &str,
        deny: bool,
    ) {
        if matches!(self.outcome, Outcome::Ignored(_)) {
            return;
        }
        if let Some(b) = baseline {
            self.drift = Some(drift::compare_with(b, scenario, &self.ran(), base_url));
        }
        self.apply_drift_gate(deny);
    }

    /// Turns a passed result into a failure when its drift or warnings fail
    /// it (`failing` in `drift/gate.rs`): a [`Failure`] of each step concerned, in step
    /// order, with that step's failing findings as its mismatches and its own
    /// exchange. A scenario that already failed or errored keeps its own
    /// outcome; its drift is still reported.
    pub fn apply_drift_gate(&mut self, deny: bool) {
        if !matches!(self.outcome, Outcome::Passed) {
            return;
        }
        let mut failing = gate::failing(self.drift.as_ref(), self.warnings(), deny);
        let first_step = self.steps.first().map(|s| &s.step);
        failing.extend(gate::unrecorded(self.drift.as_ref(), first_step, deny));
        // By step, each step's findings in the order found.
        failing.sort_by_key(|(n, _)| *n);
        let mut by_step: Vec<Failure> = Vec::new();
        for (number, mismatch) in failing {
            match by_step.last_mut() {
                Some(f) if f.step.number == number => f.mismatches.push(mismatch),
                _ => {
                    let Some(mut f) = self.failure_of_step(number) else {
                        return;
                    };
                    f.mismatches.push(mismatch);
                    by_step.push(f);
                }
            }
        }
        let mut steps = by_step.into_iter();
        let Some(mut first) = steps.next() else {
            return;
        };
        first.later = steps.collect();
        self.outcome = Outcome::Failed(Box::new(first));
    }

    /// An empty failure of step `number`: the step as the baseline compares
    /// it, and the exchange of the step that ran with that number, else of
    /// the last that ran (a step gone from the run has no exchange of its
    /// own). `None` when no step ran (a passed scenario ran at least one: a
    /// scenario without steps is a spec error).
    fn failure_of_step(&self, number: usize) -> Option<Failure> {
        let ran = self
            .steps
            .iter()
            .find(|s| s.step.number == number)
            .or(self.steps.last())?;
        let step = self
            .drift
            .iter()
            .flat_map(|d| d.steps.iter())
            .find(|s| s.step.number == number)
            .map_or_else(|| ran.step.clone(), |s| s.step.clone());
        Some(Failure {
            step,
            exchange: ran.exchange.clone(),
            mismatches: Vec::new(),
            later: Vec::new(),
        })
    }

    /// Every exchange made, in order.
    pub fn exchanges(&self) -> Vec<&Exchange> {
        self.steps.iter().map(|s| &s.exchange).collect()
    }
}

/// What one step was found to have beyond its expectations.
#[derive(Debug)]
pub struct StepFindings<'a> {
    /// The step (as the baseline compares it, when it has drift).
    pub step: &'a StepInfo,
    /// Its drift, when the run compares with a baseline and it has any.
    pub drift: Option<&'a StepDrift>,
    /// Its warnings.
    pub warnings: Vec<&'a Warning>,
}

/// The results of a whole run: what every scenario did, and the spec errors
/// found while loading (whose scenarios never ran).
#[derive(Debug, Clone, Default)]
pub struct RunResults {
    /// One result per scenario that ran or was ignored, sorted by name.
    pub scenarios: Vec<Arc<ScenarioResult>>,
    /// Spec errors found at load time.
    pub load_errors: Vec<SpecError>,
    /// What the run compared with, when it compared with a baseline.
    pub drift: Option<RunDrift>,
    /// Why the run stopped before running anything (an unreachable base URL,
    /// rejected credentials, a baseline of another target, a filter that
    /// selects nothing), when it did.
    pub setup_error: Option<String>,
}

impl RunResults {
    /// Spec errors in all: those found at load time and those found while running.
    pub fn spec_errors(&self) -> usize {
        self.load_errors.len()
            + self
                .scenarios
                .iter()
                .filter(|s| matches!(&s.outcome, Outcome::Errored(e) if e.kind == ErrorKind::Spec))
                .count()
    }

    /// Changes of this class, over every scenario.
    pub fn drift_count(&self, class: DriftClass) -> usize {
        self.scenarios
            .iter()
            .filter_map(|s| s.drift.as_ref())
            .map(|d| d.count(class))
            .sum()
    }

    /// Every distinct change of the run ([`group_changes`]), with how often
    /// and in which scenarios (by name) it was seen: breaking first, then the
    /// most frequent.
    pub fn drift_groups(&self) -> Vec<ChangeGroup> {
        group_changes(self.scenarios.iter().flat_map(|s| {
            s.drift
                .iter()
                .flat_map(|d| d.changes())
                .map(|(_, c)| (s.name.as_str(), c))
        }))
    }

    /// Warnings, over every scenario.
    pub fn warning_count(&self) -> usize {
        self.scenarios.iter().map(|s| s.warnings().count()).sum()
    }

    /// Scenarios not run, and why ([`Outcome::Ignored`]).
    pub fn ignored_count(&self) -> usize {
        self.scenarios
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Ignored(_)))
            .count()
    }

    /// The one summary line of a run that compared with a baseline:
    /// `drift: B breaking, C compatible`, counting changes (occurrences), each
    /// count that is not 0 followed by how many of them are distinct, then
    /// `, N new` when N scenarios have no baseline file.
    ///
    /// ```
    /// use veriff_conformance::RunResults;
    /// assert_eq!(RunResults::default().drift_summary(), "drift: 0 breaking, 0 compatible");
    /// ```
    pub fn drift_summary(&self) -> String {
        let groups = self.drift_groups();
        let part = |class: DriftClass| {
            let count = self.drift_count(class);
            let distinct = groups.iter().filter(|g| g.change.class == class).count();
            if count == 0 {
                format!("0 {}", class.name())
            } else {
                format!("{count} {} ({distinct} distinct)", class.name())
            }
        };
        let new = self
            .scenarios
            .iter()
            .filter(|s| s.drift.as_ref().is_some_and(|d| d.new))
            .count();
        let new = if new > 0 {
            format!(", {new} new")
        } else {
            String::new()
        };
        format!(
            "drift: {}, {}{new}",
            part(DriftClass::Breaking),
            part(DriftClass::Compatible)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckKind;
    use crate::record::exchange::{Response, SentRequest};

    const KEY: &str = "the-api-key-1234";

    /// An exchange that carries the key in its URL, a header and both bodies.
    fn exchange() -> Exchange {
        Exchange {
            request: SentRequest {
                method: reqwest::Method::POST,
                url: format!("http://h/v1/sessions?k={KEY}"),
                headers: vec![("x-auth-client".into(), KEY.into())],
                body: format!(r#"{{"k":"{KEY}"}}"#).into_bytes(),
            },
            response: Response::new(
                200,
                vec![("x-echo".into(), KEY.into())],
                format!(r#"{{"echo":"{KEY}"}}"#).into_bytes(),
            ),
            elapsed: Duration::ZERO,
        }
    }

    fn step(number: usize, attempts: Attempts, warnings: Vec<Warning>) -> StepResult {
        StepResult {
            step: StepInfo {
                number,
                name: format!("step {number}"),
                at: 0..1,
            },
            exchange: exchange(),
            attempts,
            warnings,
        }
    }

    fn warning() -> Warning {
        Warning {
            check: CheckKind::Signature,
            path: "x-hmac-signature".into(),
            expected: "lowercase".into(),
            actual: "UPPER".into(),
            at: 0..1,
        }
    }

    fn retried() -> Attempts {
        Attempts {
            polling: Some(Polling {
                attempts: 2,
                elapsed: Duration::ZERO,
                converged: true,
            }),
            ..Attempts::default()
        }
    }

    fn result(outcome: Outcome) -> ScenarioResult {
        let file = SourceFile::new("a.yaml", "a.yaml", "x: 1\n");
        ScenarioResult {
            steps: vec![
                step(1, Attempts::default(), vec![]),
                step(2, retried(), vec![]),
                step(3, Attempts::default(), vec![warning()]),
                step(4, Attempts::default(), vec![]),
            ],
            ..ScenarioResult::without_steps("a::x", file, outcome)
        }
    }

    #[test]
    fn a_passed_scenario_keeps_only_the_steps_with_a_retry_or_a_warning_to_show() {
        let mut passed = result(Outcome::Passed);
        passed.drop_plain_passed_steps();
        let kept: Vec<usize> = passed.steps.iter().map(|s| s.step.number).collect();
        assert_eq!(kept, [2, 3]);
    }

    #[test]
    fn a_scenario_that_did_not_pass_keeps_every_step() {
        let mut errored = result(Outcome::Errored(Box::new(RunError {
            kind: ErrorKind::Network,
            step: None,
            request_line: None,
            message: "refused".into(),
            at: None,
        })));
        errored.drop_plain_passed_steps();
        assert_eq!(errored.steps.len(), 4);
    }

    #[test]
    fn masking_a_result_hides_the_secret_in_every_step_and_in_the_failure() {
        let failed = result(Outcome::Failed(Box::new(Failure {
            step: step(4, Attempts::default(), vec![]).step,
            exchange: exchange(),
            mismatches: Vec::new(),
            later: Vec::new(),
        })));
        // Every text of an exchange, the bodies as text (Debug shows them as numbers).
        let texts = |e: &Exchange| {
            let mut all = vec![e.request.url.clone(), format!("{:?}", e.response.json)];
            all.extend(e.request.headers.iter().map(|(_, v)| v.clone()));
            all.extend(e.response.headers.iter().map(|(_, v)| v.clone()));
            all.push(String::from_utf8_lossy(&e.request.body).into_owned());
            all.push(String::from_utf8_lossy(&e.response.body).into_owned());
            all
        };
        let Outcome::Failed(failure) = &failed.outcome else {
            unreachable!()
        };
        assert!(texts(&failure.exchange).iter().all(|t| t.contains(KEY)));
        let masked = failed.into_masked(&Masker::new([KEY]));
        let Outcome::Failed(failure) = &masked.outcome else {
            panic!("{:?}", masked.outcome)
        };
        assert_eq!(masked.steps.len(), 4);
        let exchanges = masked.steps.iter().map(|s| &s.exchange);
        for e in exchanges.chain([&failure.exchange]) {
            for text in texts(e) {
                assert!(!text.contains(KEY), "{text}");
                assert!(text.contains("***"), "{text}");
            }
        }
    }
}

#[cfg(test)]
mod drift_gate_tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    use crate::drift::findings::{Change, ChangeKind, DriftClass};
    use crate::record::exchange::{Exchange, Response, SentRequest};
    use crate::scenario::source::SourceFile;

    fn info(number: usize) -> StepInfo {
        StepInfo {
            number,
            name: format!("step {number}"),
            at: number * 10..number * 10 + 5,
        }
    }

    fn change(class: DriftClass, path: &str) -> Change {
        Change {
            class,
            kind: ChangeKind::ValueChanged,
            path: path.into(),
            before: "\"1101\"".into(),
            after: "\"1102\"".into(),
        }
    }

    fn passed_with(drift: Vec<StepDrift>) -> ScenarioResult {
        let exchange = |n: usize| Exchange {
            request: SentRequest {
                method: reqwest::Method::GET,
                url: format!("http://h/{n}"),
                headers: vec![],
                body: vec![],
            },
            response: Response::new(200, vec![], b"{}".to_vec()),
            elapsed: Duration::ZERO,
        };
        let steps = (1..=3)
            .map(|n| StepResult {
                step: info(n),
                exchange: exchange(n),
                attempts: Default::default(),
                warnings: vec![],
            })
            .collect();
        ScenarioResult {
            name: "a::b".into(),
            file: SourceFile::new("a.yaml", "a.yaml", " ".repeat(40)),
            outcome: Outcome::Passed,
            steps,
            duration: Duration::ZERO,
            drift: Some(ScenarioDrift {
                file: PathBuf::from("a/b.json"),
                new: false,
                steps: drift,
            }),
            explained: None,
        }
    }

    fn step_drift(number: usize, changes: Vec<Change>) -> StepDrift {
        StepDrift {
            step: info(number),
            request: "GET /x".into(),
            changes,
        }
    }

    #[test]
    fn breaking_drift_in_two_steps_fails_each_step_with_its_own_changes_and_exchange() {
        let mut result = passed_with(vec![
            step_drift(1, vec![change(DriftClass::Breaking, "$.code")]),
            step_drift(3, vec![change(DriftClass::Breaking, "$.status")]),
        ]);
        result.apply_drift_gate(false);
        let Outcome::Failed(f) = &result.outcome else {
            panic!("{:?}", result.outcome);
        };
        let by_step: Vec<(usize, &str, Vec<&str>)> = f
            .by_step()
            .map(|f| {
                let paths = f.mismatches.iter().map(|m| m.path.as_str()).collect();
                (f.step.number, f.exchange.request.url.as_str(), paths)
            })
            .collect();
        assert_eq!(
            by_step,
            [
                (1, "http://h/1", vec!["$.code (breaking, value changed)"]),
                (3, "http://h/3", vec!["$.status (breaking, value changed)"]),
            ]
        );
        assert_eq!(f.count(), 2);
        assert_eq!(f.later[0].mismatches[0].at, info(3).at);
    }

    #[test]
    fn the_message_of_a_failure_in_steps_1_and_3_lists_each_item_under_its_own_step() {
        let mut result = passed_with(vec![
            step_drift(1, vec![change(DriftClass::Breaking, "$.code")]),
            step_drift(3, vec![change(DriftClass::Breaking, "$.status")]),
        ]);
        result.apply_drift_gate(false);
        let text = crate::report::message::of(&result, &Masker::default()).expect("a failure");
        let expected = "\
failure: 2 unmet expectations in step 1 \"step 1\" and step 3 \"step 3\"
step 1 \"step 1\"
  --> a.yaml:1:11
  request:  GET http://h/1
  response: 200 {}
  1. drift $.code (breaking, value changed)
       baseline: \"1101\"
       actual:   \"1102\"
       at a.yaml:1:11
step 3 \"step 3\"
  --> a.yaml:1:31
  request:  GET http://h/3
  response: 200 {}
  2. drift $.status (breaking, value changed)
       baseline: \"1101\"
       actual:   \"1102\"
       at a.yaml:1:31";
        assert_eq!(text, expected);
    }

    #[test]
    fn compatible_drift_fails_only_when_denied() {
        let mut result = passed_with(vec![step_drift(
            2,
            vec![change(DriftClass::Compatible, "$.message")],
        )]);
        result.apply_drift_gate(false);
        assert!(matches!(result.outcome, Outcome::Passed));
        result.apply_drift_gate(true);
        assert!(matches!(&result.outcome, Outcome::Failed(f) if f.step.number == 2));
    }
}
