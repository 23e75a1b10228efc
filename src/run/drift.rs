//! The drift wiring of a run (issue 8): read the baseline before anything
//! runs, compare each scenario where its result is produced, and afterwards
//! write the baseline (`--record-baseline`) and print the drift and warnings
//! that libtest cannot show under a passing trial.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::execute::Finish;
use crate::drift::baseline::{self, Baseline};
use crate::drift::normalize::Rule;
use crate::drift::{compare_with, gate, record};
use crate::mask::Masker;
use crate::report::{libtest, markdown};
use crate::results::drift::RunDrift;
use crate::results::{Outcome, RunResults};
use crate::scenario::model::Scenario;

/// The drift options of a run.
#[derive(Debug, Clone, Default)]
pub struct DriftOptions {
    /// `--record-baseline DIR`: write a baseline of this run here.
    pub record: Option<PathBuf>,
    /// `--baseline DIR`: compare this run with the baseline here.
    pub baseline: Option<PathBuf>,
    /// `--deny-drift`: compatible drift and warnings fail too.
    pub deny: bool,
    /// `--drift-report FILE`: write the Markdown drift report here.
    pub report: Option<PathBuf>,
}

/// Reads the baseline folder, when the run compares with one. Every
/// unusable file is an error naming it (exit status 2; nothing runs).
pub fn load(
    options: &DriftOptions,
    scenarios: &[Arc<Scenario>],
) -> Result<Option<Arc<Baseline>>, String> {
    let Some(dir) = &options.baseline else {
        return Ok(None);
    };
    let trials: Vec<&str> = scenarios.iter().map(|s| s.trial_name.as_str()).collect();
    baseline::load(dir, &trials)
        .map(|b| Some(Arc::new(b)))
        .map_err(|errors| {
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\nerror: ")
        })
}

/// What every scenario task does with its result before handing it over:
/// compare it with the baseline, then let drift and warnings fail it.
pub fn finisher(baseline: Option<Arc<Baseline>>, base_url: String, deny: bool) -> Finish {
    Arc::new(move |scenario, result| {
        if matches!(result.outcome, Outcome::Ignored(_)) {
            return;
        }
        if let Some(b) = &baseline {
            result.drift = Some(compare_with(b, scenario, result, &base_url));
        }
        gate::apply(result, deny);
    })
}

/// What the results say of the baseline beyond each scenario.
pub fn run_drift(baseline: Option<&Arc<Baseline>>) -> Option<RunDrift> {
    baseline.map(|b| RunDrift {
        dir: b.dir.clone(),
        gone: b.gone.clone(),
    })
}

/// Writes the Markdown drift report.
pub fn write_report(path: &Path, results: &RunResults, masker: &Masker) -> Result<(), String> {
    std::fs::write(path, markdown::render(results, masker))
        .map_err(|e| format!("cannot write the drift report to {}: {e}", path.display()))
}

/// `--record-baseline DIR`: writes one file per scenario that passed and
/// says what it wrote on standard error. Scenarios that failed, errored or
/// were ignored are not recorded: a baseline is a good run.
pub fn record_baseline(
    dir: &Path,
    results: &RunResults,
    scenarios: &[Arc<Scenario>],
    base_url: &str,
    masker: &Masker,
) -> Result<(), String> {
    let mut written = 0;
    let mut skipped = Vec::new();
    let by_name: std::collections::HashMap<&str, &Arc<Scenario>> = scenarios
        .iter()
        .map(|s| (s.trial_name.as_str(), s))
        .collect();
    for result in &results.scenarios {
        let Some(&scenario) = by_name.get(result.name.as_str()) else {
            continue;
        };
        match &result.outcome {
            Outcome::Passed => {
                let b = record::record(scenario, result, base_url, Rule::ALL.len());
                baseline::write(dir, &b, masker)?;
                written += 1;
            }
            Outcome::Ignored(_) => {}
            Outcome::Failed(_) | Outcome::Errored(_) => skipped.push(result.name.as_str()),
        }
    }
    eprintln!(
        "baseline: recorded {written} scenario{} in {}",
        if written == 1 { "" } else { "s" },
        dir.display()
    );
    for name in skipped {
        eprintln!("baseline: not recorded, since it did not pass: {name}");
    }
    Ok(())
}

/// Prints what libtest cannot show under a passing trial: each scenario's
/// drift and warnings, new and gone scenarios, and the summary lines. Where
/// libtest writes: appended to its `--logfile` when given, else on standard
/// output, unless libtest writes JSON there (then on standard error).
pub fn print_notes(results: &RunResults, masker: &Masker, libtest: &libtest_mimic::Arguments) {
    let text = libtest::notes(results, masker);
    if text.is_empty() {
        return;
    }
    if let Some(path) = &libtest.logfile {
        use std::io::Write as _;
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()));
        if let Err(e) = appended {
            eprintln!("error: cannot write to the log file {path}: {e}");
        }
    } else if matches!(libtest.format, Some(libtest_mimic::FormatSetting::Json)) {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
}
