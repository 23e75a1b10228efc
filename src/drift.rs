//! Drift: a run compared with a recorded baseline, for QA re-verifying the
//! API after Veriff's changelog changes.
//!
//! - [`normalize`]: the ordered, append-only rules that turn values that
//!   change from run to run into placeholders;
//! - [`snapshot`]: a scenario's run as its normalised baseline;
//! - [`baseline`]: the files on disk (format, paths, reading, writing);
//! - [`recorded_against`]: what a baseline was recorded against (the
//!   embedded mock or a base URL's origin), so that a baseline is never
//!   compared with another kind of target;
//! - [`compare`]: the differences, classified compatible or breaking by
//!   Veriff's "Backwards compatible changes" rules;
//! - [`gate`]: which findings fail a scenario;
//! - [`findings`]: what it found, as data the results carry and the
//!   reports read.
//!
//! Like the checks, it is below the results: it reads exchanges (a [`Ran`]
//! view of a scenario's result) and the scenario model, and never runs or
//! reports anything.

pub mod baseline;
pub mod compare;
pub mod findings;
pub mod gate;
pub mod normalize;
pub mod recorded_against;
pub mod snapshot;

use std::path::{Path, PathBuf};

use crate::mask::Masker;
use crate::record::exchange::Exchange;
use crate::record::exchange::StepInfo;
use crate::scenario::model::Scenario;
use baseline::Baseline;
use findings::{RunDrift, ScenarioDrift};
use normalize::Rule;
pub use recorded_against::RecordedAgainst;

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
    /// `--overwrite-baseline-target`: `record` may replace a baseline
    /// recorded against the other kind of target.
    pub overwrite_target: bool,
}

/// Checks, before anything runs, that a run against `now` may compare with
/// (`--baseline`) or record into (`--record-baseline`) its baseline folder:
/// the other kind of target is an error (exit status 2). Returns the
/// warnings to print: another server of the same kind, or a baseline that
/// does not say what it was recorded against.
pub fn check_target(options: &DriftOptions, now: &RecordedAgainst) -> Result<Vec<String>, String> {
    let mut warnings = Vec::new();
    if let Some(dir) = &options.baseline {
        let recorded = recorded_against::read(dir).map_err(|e| e.to_string())?;
        warnings.extend(recorded_against::check_compare(
            dir,
            recorded.as_ref(),
            now,
        )?);
    }
    if let Some(dir) = &options.record {
        // A folder that does not hold a baseline yet says nothing.
        let recorded = recorded_against::read(dir).map_err(|e| e.to_string())?;
        recorded_against::check_record(dir, recorded.as_ref(), now, options.overwrite_target)?;
    }
    Ok(warnings)
}

/// A scenario's run as drift reads it: its trial name, whether it passed,
/// and each exchange with its step, in order (a `repeat:` group's step
/// once per answer).
#[derive(Debug)]
pub struct Ran<'a> {
    /// The trial name.
    pub name: &'a str,
    /// Whether the scenario passed.
    pub passed: bool,
    /// Every exchange with its step.
    pub steps: Vec<(&'a StepInfo, &'a Exchange)>,
}

/// Reads the baseline folder, when the run compares with one. Every
/// unusable file is an error naming it (exit status 2; nothing runs).
pub fn load(options: &DriftOptions, trials: &[&str]) -> Result<Option<Baseline>, String> {
    let Some(dir) = &options.baseline else {
        return Ok(None);
    };
    baseline::load(dir, trials).map(Some).map_err(|errors| {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\nerror: ")
    })
}

/// What the results say of the baseline beyond each scenario, for a run
/// against `base_url` (the embedded mock when `embedded_mock`).
pub fn run_drift(baseline: &Baseline, base_url: &str, embedded_mock: bool) -> RunDrift {
    RunDrift {
        dir: baseline.dir.clone(),
        gone: baseline.gone.clone(),
        target: target_name(base_url, embedded_mock),
    }
}

/// A run's target for people: `the embedded mock`, or the base URL's scheme,
/// host and port when it is not the scheme's own; never its user, password,
/// path or query.
///
/// ```
/// use veriff_conformance::target_name;
/// assert_eq!(target_name("https://user:pw@stationapi.veriff.com/x?k=1", false), "https://stationapi.veriff.com");
/// assert_eq!(target_name("http://127.0.0.1:8080", false), "http://127.0.0.1:8080");
/// assert_eq!(target_name("http://127.0.0.1:41234", true), "the embedded mock");
/// ```
pub fn target_name(base_url: &str, embedded_mock: bool) -> String {
    if embedded_mock {
        return "the embedded mock".into();
    }
    match reqwest::Url::parse(base_url) {
        Ok(url) => {
            let host = url.host_str().unwrap_or_default();
            match url.port() {
                Some(port) => format!("{}://{host}:{port}", url.scheme()),
                None => format!("{}://{host}", url.scheme()),
            }
        }
        Err(_) => "a base URL that does not parse".into(),
    }
}

/// How `ran` (a run of `scenario` against `base_url`) differs from
/// `baseline`: `new` when the baseline has no file for it.
pub fn compare_with(
    baseline: &Baseline,
    scenario: &Scenario,
    ran: &Ran<'_>,
    base_url: &str,
) -> ScenarioDrift {
    let file =
        baseline::file_for(&baseline.dir, ran.name).unwrap_or_else(|_| baseline.dir.join(ran.name));
    match baseline.scenarios.get(ran.name) {
        None => ScenarioDrift {
            file,
            new: true,
            steps: Vec::new(),
        },
        Some(recorded) => {
            let now = snapshot::observe(scenario, ran, base_url, recorded.normalisation);
            ScenarioDrift {
                file,
                new: false,
                steps: compare::compare(recorded, &now, scenario, ran),
            }
        }
    }
}

/// `--record-baseline DIR`: writes one file per scenario that passed, and
/// what the run was against (`target`, [`recorded_against::TARGET_FILE`]),
/// and returns how many scenarios it wrote. Scenarios that did not pass are
/// not recorded: a baseline is a good run.
pub fn record_baseline<'a>(
    dir: &Path,
    passed: impl IntoIterator<Item = (&'a Scenario, Ran<'a>)>,
    base_url: &str,
    target: &RecordedAgainst,
    masker: &Masker,
) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    recorded_against::write(dir, target)?;
    let mut written = 0;
    for (scenario, ran) in passed {
        let b = snapshot::record(scenario, &ran, base_url, Rule::ALL.len());
        baseline::write(dir, &b, masker)?;
        written += 1;
    }
    Ok(written)
}
