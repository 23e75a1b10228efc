//! libtest output: one trial per scenario, whose verdict is read from the
//! scenario's result. A trial runs nothing: it is handed its result, either
//! at once (a saved result) or as the run delivers it.
//!
//! libtest prints nothing under a trial that passes, so warnings and drift
//! are shown after libtest's summary instead ([`notes`]): one block per
//! scenario with warnings, one line per distinct change of the whole run,
//! then the summary lines. A scenario that fails
//! on breaking drift (or on anything `--deny-drift` denies) also says so in
//! its failure message, under the trial, like any other failure.

use std::fmt::Write as _;
use std::sync::Arc;

use libtest_mimic::{Completion, Failed, Trial};

use super::message;
use super::text::{excerpt, printable};
use crate::mask::Masker;
use crate::results::{Outcome, RunResults, ScenarioResult};

/// Hands a trial its scenario's result, waiting for the run to deliver it if
/// need be; `Err` says why there is none (the harness broke).
pub type Pending = Box<dyn FnOnce() -> Result<Arc<ScenarioResult>, String> + Send>;

/// The trial of one scenario, flagged ignored for libtest when `ignored` says why;
/// its name masked.
///
/// ```
/// use std::sync::Arc;
/// use veriff_conformance::Masker;
/// use veriff_conformance::trial;
/// use veriff_conformance::{Outcome, ScenarioResult};
/// use veriff_conformance::SourceFile;
///
/// let file = SourceFile::new("a.yaml", "a.yaml", "name: x\n");
/// let result = Arc::new(ScenarioResult::without_steps("a::x", file, Outcome::Passed));
/// let t = trial("a::x".into(), None, Box::new(move || Ok(result)), Masker::default());
/// assert_eq!(t.name(), "a::x");
/// assert!(!t.has_ignored_flag());
/// ```
pub fn trial(name: String, ignored: Option<&str>, pending: Pending, masker: Masker) -> Trial {
    // libtest prints the name as it is: a secret written into a scenario name is hidden here.
    Trial::ignorable_test(masker.mask(&name), move || {
        let result = pending().map_err(Failed::from)?;
        verdict(&result, &masker)
    })
    .with_ignored_flag(ignored.is_some())
}

/// The trial of a scenario that this run skips as ignored (it needs the
/// mock's controls, or an opt-in feature that is off): it sends nothing and
/// tells libtest `ignored` with `reason`, so that the terminal shows why
/// (`test a::x ... ignored (needs ...)`), as libtest does for
/// `#[ignore = "..."]`. It carries no ignored flag, since libtest prints no
/// reason for a trial it skips by its flag; use it only where libtest would
/// skip the flagged trial anyway (neither `--ignored` nor `--include-ignored`).
///
/// ```
/// use veriff_conformance::skipped_trial;
///
/// let t = skipped_trial("a::x".into(), "needs --feature delete".into());
/// assert_eq!(t.name(), "a::x");
/// assert!(!t.has_ignored_flag());
/// ```
pub fn skipped_trial(name: String, reason: String) -> Trial {
    Trial::ignorable_test(name, move || Ok(Completion::ignored_with(reason)))
}

/// What libtest is told of a result: completed, ignored with its reason, or
/// failed with the message of the failure or error.
pub fn verdict(result: &ScenarioResult, masker: &Masker) -> Result<Completion, Failed> {
    match &result.outcome {
        Outcome::Passed => Ok(Completion::Completed),
        Outcome::Ignored(reason) => Ok(Completion::ignored_with(reason.clone())),
        Outcome::Failed(_) | Outcome::Errored(_) => Err(Failed::from(
            message::of(result, masker).unwrap_or_default(),
        )),
    }
}

/// Characters of a before or after value shown in a drift line.
pub const MAX_DRIFT_VALUE_SHOWN: usize = 120;

/// Scenario names shown on a line of the roll-up of distinct changes; the
/// others are counted (`and N more`).
pub const ROLLUP_NAMES_SHOWN: usize = 3;

/// The drift and warnings of one scenario as text, one line each, grouped by
/// step; `None` when it has neither. JUnit carries it as the scenario's
/// `<system-out>`.
pub fn scenario_notes(result: &ScenarioResult, masker: &Masker) -> Option<String> {
    let mut out = String::new();
    if let Some(drift) = &result.drift
        && drift.new
    {
        let _ = writeln!(
            out,
            "new: no baseline file {}; record one with --record-baseline",
            drift.file.display()
        );
    }
    step_lines(&mut out, result, masker, true);
    (!out.is_empty()).then(|| masker.mask(out.trim_end()))
}

/// Per step with findings: a heading, then one line per change (when
/// `with_drift`) and per warning.
fn step_lines(out: &mut String, result: &ScenarioResult, masker: &Masker, with_drift: bool) {
    let place = |at: &std::ops::Range<usize>| {
        let (line, col) = result.file.line_col(at.start);
        format!("{}:{line}:{col}", result.file.name)
    };
    let shown = |v: &str| excerpt(&masker.mask(&printable(v)), MAX_DRIFT_VALUE_SHOWN);
    for findings in result.findings_by_step() {
        let drift = findings.drift.filter(|_| with_drift);
        if drift.is_none() && findings.warnings.is_empty() {
            continue;
        }
        let step = findings.step;
        let request = drift.map(|d| format!(" {}", d.request)).unwrap_or_default();
        let _ = writeln!(
            out,
            "step {} \"{}\"{}",
            step.number,
            printable(&step.name),
            printable(&format!("{request} ({})", place(&step.at)))
        );
        for c in drift.iter().flat_map(|d| d.changes.iter()) {
            let _ = writeln!(
                out,
                "  {:<10}  {:<20}  {}: {} -> {}",
                c.class.name(),
                c.kind.name(),
                printable(&c.path),
                shown(&c.before),
                shown(&c.after)
            );
        }
        for w in &findings.warnings {
            // A warning about the whole answer (its status, its time) has
            // no path.
            let path = match printable(&w.path) {
                path if path.is_empty() => path,
                path => format!("{path}: "),
            };
            let _ = writeln!(
                out,
                "  {:<10}  {:<20}  {path}{}; expected {}",
                "warning",
                w.check.name(),
                shown(&w.actual),
                shown(&w.expected)
            );
        }
    }
}

/// The distinct changes of a run, one line each ([`RunResults::drift_groups`]):
/// class, kind, path, before `->` after, then how often and where it was
/// seen (the first [`ROLLUP_NAMES_SHOWN`] scenarios by name, `and N more`).
/// `None` when the run found no drift. JUnit carries it as the first test
/// suite's `<system-out>`.
pub fn rollup(results: &RunResults, masker: &Masker) -> Option<String> {
    let groups = results.drift_groups();
    if groups.is_empty() {
        return None;
    }
    let shown = |v: &str| excerpt(&masker.mask(&printable(v)), MAX_DRIFT_VALUE_SHOWN);
    let mut out = String::new();
    for g in &groups {
        let c = &g.change;
        let _ = writeln!(
            out,
            "  {:<10}  {:<20}  {}: {} -> {}  ({})",
            c.class.name(),
            c.kind.name(),
            printable(&c.path),
            shown(&c.before),
            shown(&c.after),
            seen(g.count, &g.scenarios)
        );
    }
    Some(masker.mask(out.trim_end()))
}

/// `once in a::x`, `3 times in a::x`, `62 times in 45 scenarios: a, b, c and 42 more`.
fn seen(count: usize, scenarios: &[String]) -> String {
    let times = match count {
        1 => "once".to_string(),
        n => format!("{n} times"),
    };
    let names: Vec<String> = scenarios
        .iter()
        .take(ROLLUP_NAMES_SHOWN)
        .map(|s| printable(s))
        .collect();
    let more = scenarios.len().saturating_sub(ROLLUP_NAMES_SHOWN);
    let names = if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    };
    match scenarios.len() {
        1 => format!("{times} in {names}"),
        n => format!("{times} in {n} scenarios: {names}"),
    }
}

/// What follows libtest's own summary, since libtest cannot print under a
/// passing trial: a `---- name: warnings ----` block per scenario with
/// warnings; the scenarios with no baseline file (new) and the baseline
/// files with no scenario (gone); in a run that found drift, a
/// `---- drift, by change ----` block with one line per distinct change
/// ([`rollup`]; each change is listed under its step in the failure message
/// of a scenario it fails, in the Markdown report and in JUnit); then
/// `warnings: N` when there are any and, in a run that compares with a
/// baseline, exactly one last line, [`RunResults::drift_summary`]. Empty when
/// there is nothing to say.
pub fn notes(results: &RunResults, masker: &Masker) -> String {
    let mut out = String::new();
    for result in &results.scenarios {
        let mut block = String::new();
        step_lines(&mut block, result, masker, false);
        if !block.is_empty() {
            let _ = write!(
                out,
                "\n---- {}: warnings ----\n{block}",
                printable(&result.name)
            );
        }
    }
    let mut listed = String::new();
    for result in &results.scenarios {
        if let Some(drift) = &result.drift
            && drift.new
        {
            let _ = writeln!(
                listed,
                "new: {} has no baseline file {}; record one with --record-baseline",
                printable(&result.name),
                drift.file.display()
            );
        }
    }
    if let Some(drift) = &results.drift {
        for g in &drift.gone {
            let _ = writeln!(
                listed,
                "gone: {} (no scenario {} any more; delete the file to accept)",
                g.file.display(),
                g.trial
            );
        }
    }
    if !listed.is_empty() {
        let _ = write!(out, "\n{listed}");
    }
    if let Some(lines) = rollup(results, masker) {
        let _ = writeln!(out, "\n---- drift, by change ----\n{lines}");
    }
    if let Some(hint) = super::auth_hint::of_run(results) {
        let _ = writeln!(out, "\n{hint}");
    }
    let warnings = results.warning_count();
    let summary = results.drift.is_some();
    // libtest's summary ends with an empty line already.
    if !out.is_empty() && (warnings > 0 || summary) {
        out.push('\n');
    }
    if warnings > 0 {
        let _ = writeln!(out, "warnings: {warnings}");
    }
    if summary {
        let _ = writeln!(out, "{}", results.drift_summary());
    }
    masker.mask(&out)
}
