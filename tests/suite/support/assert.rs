//! Running one embedded scenario against a broken mock, and fluent
//! assertions on the failure it reports ([`Reported`]).

use std::time::Duration;

use veriff_conformance::Masker;
use veriff_conformance::Scenario;
use veriff_conformance::excerpt;
use veriff_conformance::message;
use veriff_conformance::{CheckKind, Mismatch, Warning};
use veriff_conformance::{Failure, Outcome};

use super::{Breakage, BrokenMock, scenario};

/// A scenario's failure and the message a user reads for it.
pub struct Reported {
    pub failure: Failure,
    pub text: String,
    masker: Masker,
}

/// Runs `trial_name` against a mock with `breakage` and returns its failure;
/// panics, with the outcome, when the scenario did not fail. Checks on the way
/// that the message shows neither the API key nor the shared secret.
pub async fn failure_of(trial_name: &str, breakage: Breakage) -> Reported {
    let mock = BrokenMock::start(breakage).await;
    let scenario = hurried(scenario(trial_name));
    let result = mock.run(&scenario).await;
    let masker = mock.masker();
    let failure = match result.outcome {
        Outcome::Failed(failure) => *failure,
        Outcome::Errored(error) => panic!(
            "{trial_name} errored instead of failing against {breakage:?}:\n{}",
            message::error(&scenario.file, &error, &masker)
        ),
        other => panic!("{trial_name} did not fail against {breakage:?}: {other:?}"),
    };
    let text = message::failure(&scenario.file, &failure, &masker);
    for secret in [&mock.config().api_key, &mock.config().shared_secret] {
        assert!(!text.contains(secret.as_str()), "a secret leaked:\n{text}");
    }
    Reported {
        failure,
        text,
        masker,
    }
}

/// A scenario that passed against a broken mock, and the warnings it gave.
pub struct Warned {
    trial: String,
    pub warnings: Vec<Warning>,
}

/// Runs `trial_name` against a mock with `breakage` and returns its
/// warnings; panics, with the message, when the scenario did not pass.
pub async fn warnings_of(trial_name: &str, breakage: Breakage) -> Warned {
    let mock = BrokenMock::start(breakage).await;
    let scenario = hurried(scenario(trial_name));
    let result = mock.run(&scenario).await;
    let masker = mock.masker();
    match &result.outcome {
        Outcome::Passed => {}
        Outcome::Failed(f) => panic!(
            "{trial_name} failed against {breakage:?}:\n{}",
            message::failure(&scenario.file, f, &masker)
        ),
        other => panic!("{trial_name} did not pass against {breakage:?}: {other:?}"),
    }
    Warned {
        trial: trial_name.to_string(),
        warnings: result.warnings().map(|(_, w)| w.clone()).collect(),
    }
}

impl Warned {
    /// Asserts a warning of this kind at `path` whose text contains `fragment`.
    #[track_caller]
    pub fn warns(&self, check: CheckKind, path: &str, fragment: &str) -> &Self {
        assert!(
            self.warnings.iter().any(|w| w.check == check
                && w.path == path
                && format!("{}; expected {}", w.actual, w.expected).contains(fragment)),
            "{}: no {} warning at `{path}` saying {fragment:?}; the warnings were: {:#?}",
            self.trial,
            check.name(),
            self.warnings
        );
        self
    }

    /// Asserts exactly this many warnings.
    #[track_caller]
    pub fn count(&self, n: usize) -> &Self {
        assert_eq!(
            self.warnings.len(),
            n,
            "{}: {:#?}",
            self.trial,
            self.warnings
        );
        self
    }
}

/// Longest that a webhook step waits here. A broken webhook never
/// satisfies its step, which then waits its whole time limit (up to 10 s in
/// the suite); the mock's webhooks arrive within milliseconds.
const WEBHOOK_WAIT: Duration = Duration::from_secs(2);

/// `scenario` with each webhook step's time limit cut to [`WEBHOOK_WAIT`].
fn hurried(mut scenario: Scenario) -> Scenario {
    for step in &mut scenario.steps {
        if let Some(awaited) = step.webhook.as_mut() {
            awaited.within.value = awaited.within.value.min(WEBHOOK_WAIT);
        }
    }
    scenario
}

impl Reported {
    /// Asserts the failing step, by 1-based number and name, and that the
    /// message's first line names it.
    #[track_caller]
    pub fn in_step(&self, number: usize, name: &str) -> &Self {
        let header = format!("in step {number} \"{name}\"");
        assert!(
            self.text
                .lines()
                .next()
                .is_some_and(|l| l.contains(&header)),
            "expected the failure {header}, got:\n{}",
            self.text
        );
        assert_eq!(
            (self.failure.step.number, self.failure.step.name.as_str()),
            (number, name)
        );
        self
    }

    /// Asserts an unmet expectation of this kind at `path` whose expected and
    /// actual values contain these fragments, and that the message shows it
    /// as `<check> <path>`, `expected: ...`, `actual: ...` (values masked and
    /// shortened as the message shortens them).
    #[track_caller]
    pub fn says(&self, check: CheckKind, path: &str, expected: &str, actual: &str) -> &Self {
        let found: Option<&Mismatch> = self.failure.mismatches.iter().find(|m| {
            m.check == check
                && m.path == path
                && m.expected.contains(expected)
                && m.actual.contains(actual)
        });
        let Some(m) = found else {
            panic!(
                "no {} mismatch at `{path}` expecting {expected:?} and showing {actual:?}; the message was:\n{}",
                check.name(),
                self.text
            );
        };
        let what = if path.is_empty() {
            check.name().to_string()
        } else {
            format!("{} {path}", check.name())
        };
        let shown = |value: &str| excerpt(&self.masker.mask(value), message::MAX_VALUE_SHOWN);
        let block = format!(
            "{what}\n       expected: {}\n       actual:   {}",
            shown(&m.expected),
            shown(&m.actual)
        );
        assert!(
            self.text.contains(&block),
            "the message does not show\n{block}\nit was:\n{}",
            self.text
        );
        self
    }

    /// Asserts that the message contains `fragment`.
    #[track_caller]
    pub fn shows(&self, fragment: &str) -> &Self {
        assert!(
            self.text.contains(fragment),
            "the message does not show {fragment:?}; it was:\n{}",
            self.text
        );
        self
    }

    /// Asserts that nothing of `check` kind is reported (the breakage broke only what it names).
    #[track_caller]
    pub fn nothing_about(&self, check: CheckKind) -> &Self {
        assert!(
            !self.failure.mismatches.iter().any(|m| m.check == check),
            "unexpected {} mismatch in:\n{}",
            check.name(),
            self.text
        );
        self
    }

    /// Asserts exactly this many unmet expectations.
    #[track_caller]
    pub fn count(&self, n: usize) -> &Self {
        assert_eq!(self.failure.mismatches.len(), n, "{}", self.text);
        self
    }
}
