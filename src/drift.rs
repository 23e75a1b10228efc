//! Drift: a run compared with a recorded baseline, for QA re-verifying the
//! API after Veriff's changelog changes.
//!
//! - [`normalize`]: the ordered, append-only rules that turn values that
//!   change from run to run into placeholders;
//! - [`record`]: a scenario's result as its normalised baseline;
//! - [`baseline`]: the files on disk (format, paths, reading, writing);
//! - [`compare`]: the differences, classified compatible or breaking by
//!   Veriff's "Backwards compatible changes" rules;
//! - [`gate`]: which findings fail a scenario.
//!
//! It sits beside the checks: it reads results, exchanges and the spec
//! model, and never runs or reports anything. The data it produces
//! ([`crate::results::drift`]) is what the reports read.

pub mod baseline;
pub mod compare;
pub mod gate;
pub mod normalize;
pub mod record;

use crate::results::ScenarioResult;
use crate::results::drift::ScenarioDrift;
use crate::scenario::model::Scenario;
use baseline::Baseline;

/// How `result` (a run of `scenario` against `base_url`) differs from
/// `baseline`: `new` when the baseline has no file for it.
pub fn compare_with(
    baseline: &Baseline,
    scenario: &Scenario,
    result: &ScenarioResult,
    base_url: &str,
) -> ScenarioDrift {
    let file = baseline::file_for(&baseline.dir, &result.name)
        .unwrap_or_else(|_| baseline.dir.join(&result.name));
    match baseline.scenarios.get(&result.name) {
        None => ScenarioDrift {
            file,
            new: true,
            steps: Vec::new(),
        },
        Some(recorded) => {
            let now = record::record(scenario, result, base_url, recorded.normalisation);
            ScenarioDrift {
                file,
                new: false,
                steps: compare::compare(recorded, &now, scenario, result),
            }
        }
    }
}
