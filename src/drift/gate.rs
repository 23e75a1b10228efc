//! Which findings fail a scenario that otherwise passed: breaking drift
//! always, compatible drift and warnings when the run denies them
//! (`--deny-drift`, like `-D warnings`). Each failing finding becomes a
//! [`Mismatch`] giving the JSON path, the baseline value, the actual value
//! and its step's place in the spec; the scenario's result turns them into
//! its failure (`ScenarioResult::apply_drift_gate`).

use super::findings::{DriftClass, ScenarioDrift};
use crate::check::{CheckKind, Mismatch, Warning};
use crate::record::exchange::StepInfo;

/// Every finding that fails the scenario, as `(step number, mismatch)` in
/// the order found: drift first, then warnings (only when `deny`).
pub fn failing<'a>(
    drift: Option<&ScenarioDrift>,
    warnings: impl Iterator<Item = (&'a StepInfo, &'a Warning)>,
    deny: bool,
) -> Vec<(usize, Mismatch)> {
    let mut failing: Vec<(usize, Mismatch)> = Vec::new();
    if let Some(drift) = drift {
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
        for (step, w) in warnings {
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
    failing
}

/// A scenario with no baseline file (new) fails under `deny`, at its first
/// step, saying so: a run that compares with nothing is not a drift-free run.
pub fn unrecorded(
    drift: Option<&ScenarioDrift>,
    first_step: Option<&StepInfo>,
    deny: bool,
) -> Option<(usize, Mismatch)> {
    let drift = drift.filter(|d| d.new && deny)?;
    let step = first_step?;
    Some((
        step.number,
        Mismatch {
            check: CheckKind::Drift,
            path: "scenario (new, denied by --deny-drift)".into(),
            expected: format!(
                "none: no baseline for this scenario ({})",
                drift.file.display()
            ),
            actual: "recorded nowhere; record it with --record-baseline".into(),
            at: step.at.clone(),
        },
    ))
}
