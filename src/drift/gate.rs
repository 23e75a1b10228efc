//! Which findings fail a scenario that otherwise passed: breaking drift
//! always, compatible drift and warnings when the run denies them
//! (`--deny-drift`, like `-D warnings`). The scenario then fails like any
//! other: its outcome becomes a [`Failure`] of the first step concerned,
//! whose mismatches give the JSON path, the baseline value, the actual value
//! and the step's place in the spec. A scenario that already failed or
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
    // gone from the run has no exchange of its own).
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
    let mismatches = failing
        .into_iter()
        .filter(|(n, _)| *n == first)
        .map(|(_, m)| m)
        .collect();
    result.outcome = Outcome::Failed(Box::new(Failure {
        step,
        exchange,
        mismatches,
    }));
}
