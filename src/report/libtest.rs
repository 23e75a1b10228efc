//! libtest output: one trial per scenario, whose verdict is read from the
//! scenario's result. A trial runs nothing: it is handed its result, either
//! at once (a saved result) or as the run delivers it.
//!
//! libtest prints nothing under a trial that passes, so compatible drift and
//! warnings are shown after libtest's summary instead ([`notes`]): one block
//! per scenario that has any, then the summary lines. A scenario that fails
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

/// The drift and warnings of one scenario as text, one line each, grouped by
/// step; `None` when it has neither. JUnit carries the same text.
pub fn scenario_notes(result: &ScenarioResult, masker: &Masker) -> Option<String> {
    let mut out = String::new();
    let place = |at: &std::ops::Range<usize>| {
        let (line, col) = result.file.line_col(at.start);
        format!("{}:{line}:{col}", result.file.name)
    };
    let shown = |v: &str| excerpt(&masker.mask(&printable(v)), MAX_DRIFT_VALUE_SHOWN);
    if let Some(drift) = &result.drift
        && drift.new
    {
        let _ = writeln!(
            out,
            "new: no baseline file {}; record one with --record-baseline",
            drift.file.display()
        );
    }
    for findings in result.findings_by_step() {
        let (step, drift) = (findings.step, findings.drift);
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
                c.path,
                shown(&c.before),
                shown(&c.after)
            );
        }
        for w in &findings.warnings {
            let _ = writeln!(
                out,
                "  {:<10}  {:<20}  {}: {}",
                "warning",
                w.check.name(),
                w.path,
                shown(&w.actual)
            );
        }
    }
    (!out.is_empty()).then(|| masker.mask(out.trim_end()))
}

/// What follows libtest's own summary, since libtest cannot print under a
/// passing trial: a `---- name: drift and warnings ----` block per scenario
/// with any, the baseline files with no scenario (gone), then `warnings: N`
/// when there are any and, in a run that compares with a baseline, exactly
/// one last line `drift: B breaking, C compatible`. Empty when there is
/// nothing to say.
pub fn notes(results: &RunResults, masker: &Masker) -> String {
    let mut out = String::new();
    for result in &results.scenarios {
        if let Some(text) = scenario_notes(result, masker) {
            let _ = writeln!(
                out,
                "\n---- {}: drift and warnings ----\n{text}",
                result.name
            );
        }
    }
    if let Some(drift) = &results.drift
        && !drift.gone.is_empty()
    {
        out.push('\n');
        for g in &drift.gone {
            let _ = writeln!(
                out,
                "gone: {} (no scenario {} any more; delete the file to accept)",
                g.file.display(),
                g.trial
            );
        }
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
