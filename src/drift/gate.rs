//! Which findings fail a scenario that otherwise passed: breaking drift
//! always, compatible drift and warnings when the run denies them
//! (`--deny-drift`, like `-D warnings`). The scenario then fails like any
//! other: its outcome becomes a [`Failure`] of the first step concerned,
//! with every failing finding of every step as its mismatches, each giving
//! the JSON path, the baseline value, the actual value and its step's place
//! in the spec. A scenario that already failed or
//! errored keeps its own outcome; its drift is still reported.

use crate::check::{CheckKind, Mismatch};
use crate::results::drift::DriftClass;
use crate::results::{Failure, Outcome, ScenarioResult};

/// Turns `result` into a failure when its drift or warnings fail it.
pub fn apply(result: &mut ScenarioResult, deny: bool) {
    if !matches!(result.outcome, Outcome::Passed) {
        return;
    }
    // (step number, mismatch), in the order found.
    let mut failing: Vec<(usize, Mismatch)> = Vec::new();
    if let Some(drift) = &result.drift {
        for (step, change) in drift.changes() {
            if change.class == DriftClass::Breaking || deny {
                failing.push((
                    step.step.number,
                    Mismatch {
                        check: CheckKind::Drift,
                        path: format!(
                            "{} ({}, {})",
                            change.path,
                            change.class.name(),
                            change.kind.name()
                        ),
                        expected: change.before.clone(),
                        actual: change.after.clone(),
                        at: step.step.at.clone(),
                    },
                ));
            }
        }
    }
    if deny {
        for (step, w) in result.warnings() {
            failing.push((
                step.number,
                Mismatch {
                    check: w.check,
                    path: format!("{} (warning, denied by --deny-drift)", w.path),
                    expected: w.expected.clone(),
                    actual: w.actual.clone(),
                    at: w.at.clone(),
                },
            ));
        }
    }
    let Some(first) = failing.iter().map(|(n, _)| *n).min() else {
        return;
    };
    // The step that ran with that number, else the last that ran (a step
    // gone from the run has no exchange of its own). A passed scenario ran at
    // least one step (a scenario without steps is a spec error).
    let Some(ran) = result
        .steps
        .iter()
        .find(|s| s.step.number == first)
        .or(result.steps.last())
    else {
        return;
    };
    let step = match &result.drift {
        Some(d) => d
            .steps
            .iter()
            .find(|s| s.step.number == first)
            .map_or_else(|| ran.step.clone(), |s| s.step.clone()),
        None => ran.step.clone(),
    };
    let exchange = ran.exchange.clone();
    // Every failing finding, of later steps too: each points at its own step.
    let mismatches = failing.into_iter().map(|(_, m)| m).collect();
    result.outcome = Outcome::Failed(Box::new(Failure {
        step,
        exchange,
        mismatches,
    }));
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;
    use crate::record::exchange::{Exchange, Response, SentRequest};
    use crate::results::StepInfo;
    use crate::results::StepResult;
    use crate::results::drift::{Change, ChangeKind, ScenarioDrift, StepDrift};
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
        let exchange = Exchange {
            request: SentRequest {
                method: reqwest::Method::GET,
                url: "http://h/x".into(),
                headers: vec![],
                body: vec![],
            },
            response: Response::new(200, vec![], b"{}".to_vec()),
            elapsed: Duration::ZERO,
        };
        let steps = (1..=2)
            .map(|n| StepResult {
                step: info(n),
                exchange: exchange.clone(),
                attempts: Default::default(),
                warnings: vec![],
            })
            .collect();
        ScenarioResult {
            name: "a::b".into(),
            file: SourceFile::new("a.yaml", "a.yaml", ""),
            outcome: Outcome::Passed,
            steps,
            duration: Duration::ZERO,
            drift: Some(ScenarioDrift {
                file: PathBuf::from("a/b.json"),
                new: false,
                steps: drift,
            }),
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
    fn breaking_drift_in_two_steps_fails_the_first_with_every_change_listed() {
        let mut result = passed_with(vec![
            step_drift(1, vec![change(DriftClass::Breaking, "$.code")]),
            step_drift(2, vec![change(DriftClass::Breaking, "$.status")]),
        ]);
        apply(&mut result, false);
        let Outcome::Failed(f) = &result.outcome else {
            panic!("{:?}", result.outcome);
        };
        assert_eq!(f.step.number, 1);
        let paths: Vec<&str> = f.mismatches.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.code (breaking, value changed)",
                "$.status (breaking, value changed)"
            ]
        );
        assert_eq!(f.mismatches[1].at, info(2).at);
    }

    #[test]
    fn compatible_drift_fails_only_when_denied() {
        let mut result = passed_with(vec![step_drift(
            2,
            vec![change(DriftClass::Compatible, "$.message")],
        )]);
        apply(&mut result, false);
        assert!(matches!(result.outcome, Outcome::Passed));
        apply(&mut result, true);
        assert!(matches!(&result.outcome, Outcome::Failed(f) if f.step.number == 2));
    }
}
