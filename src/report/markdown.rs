//! The drift report for people (`--drift-report FILE`): Markdown fit to paste
//! as a pull-request comment or a CI job summary (`$GITHUB_STEP_SUMMARY`).
//!
//! The first line is the summary; then, per scenario with drift or warnings
//! (breaking first), per step, a table of changes: class, kind, path, before
//! (the baseline) and after (this run). New scenarios (no baseline file) and
//! gone ones (a baseline file with no scenario) are listed at the end.
//! Values are masked, shortened and escaped so that no table breaks.

use std::fmt::Write as _;

use super::text::excerpt;
use crate::drift::findings::DriftClass;
use crate::mask::Masker;
use crate::results::{Outcome, RunResults, ScenarioResult};

/// Characters of a value shown in a table cell.
pub const MAX_CELL: usize = 200;

/// The Markdown drift report of a run.
///
/// ```
/// use veriff_conformance::Masker;
/// use veriff_conformance::Format;
/// use veriff_conformance::RunResults;
///
/// let md = Format::Markdown.render(&RunResults::default(), &Masker::default());
/// assert!(md.starts_with("**drift: 0 breaking, 0 compatible**"));
/// ```
pub fn render(results: &RunResults, masker: &Masker) -> String {
    let mut out = String::new();
    let warnings = results.warning_count();
    let new: Vec<&ScenarioResult> = results
        .scenarios
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| s.drift.as_ref().is_some_and(|d| d.new))
        .collect();
    let gone = results.drift.as_ref().map_or(&[][..], |d| &d.gone[..]);
    let failed = results
        .scenarios
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed(_) | Outcome::Errored(_)))
        .count();
    let _ = write!(out, "**{}**", results.drift_summary());
    let _ = write!(
        out,
        " · {warnings} warning{} · {} new · {} gone · {} of {} scenario{} failed\n\n",
        plural(warnings),
        new.len(),
        gone.len(),
        failed,
        results.scenarios.len(),
        plural(results.scenarios.len()),
    );
    if let Some(d) = &results.drift {
        let _ = writeln!(
            out,
            "Compared with the baseline in `{}`.\n",
            code(&masker.mask(&d.dir.display().to_string()))
        );
    }
    // Breaking first, then compatible, then warnings only; by name within each.
    let mut shown: Vec<&ScenarioResult> = results
        .scenarios
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| {
            s.drift.as_ref().is_some_and(|d| !d.steps.is_empty()) || s.warnings().next().is_some()
        })
        .collect();
    shown.sort_by_key(|s| {
        let breaking = s
            .drift
            .as_ref()
            .map_or(0, |d| d.count(DriftClass::Breaking));
        (breaking == 0, s.name.clone())
    });
    for s in shown {
        scenario(&mut out, s, masker);
    }
    if !new.is_empty() {
        out.push_str(
            "### New scenarios (no baseline file; record one with `--record-baseline`)\n\n",
        );
        for s in new {
            let _ = writeln!(out, "- `{}`", code(&masker.mask(&s.name)));
        }
        out.push('\n');
    }
    if !gone.is_empty() {
        out.push_str("### Gone (a baseline file with no scenario; delete it to accept)\n\n");
        for g in gone {
            let _ = writeln!(
                out,
                "- `{}`: `{}`",
                code(&masker.mask(&g.trial)),
                code(&masker.mask(&g.file.display().to_string()))
            );
        }
        out.push('\n');
    }
    masker.mask(out.trim_end()) + "\n"
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn scenario(out: &mut String, s: &ScenarioResult, masker: &Masker) {
    let (breaking, compatible) = s.drift.as_ref().map_or((0, 0), |d| {
        (
            d.count(DriftClass::Breaking),
            d.count(DriftClass::Compatible),
        )
    });
    let verdict = match &s.outcome {
        Outcome::Passed => "passed",
        Outcome::Ignored(_) => "ignored",
        Outcome::Failed(_) => "failed",
        Outcome::Errored(_) => "errored",
    };
    let _ = writeln!(
        out,
        "### `{}` ({verdict}: {breaking} breaking, {compatible} compatible, {} warning{})\n",
        code(&masker.mask(&s.name)),
        s.warnings().count(),
        plural(s.warnings().count())
    );
    let cell = |v: &str| format!("`{}`", code(&excerpt(&masker.mask(v), MAX_CELL)));
    for findings in s.findings_by_step() {
        let (info, drift) = (findings.step, findings.drift);
        let (line, col) = s.file.line_col(info.at.start);
        let request = drift
            .map(|d| format!(" `{}`", code(&masker.mask(&d.request))))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "Step {} \"{}\"{request} ({}:{line}:{col})\n",
            info.number,
            text(&masker.mask(&info.name)),
            text(&masker.mask(&s.file.name))
        );
        out.push_str("| class | kind | path | before | after |\n|---|---|---|---|---|\n");
        for c in drift.iter().flat_map(|d| d.changes.iter()) {
            let class = match c.class {
                DriftClass::Breaking => "**breaking**",
                DriftClass::Compatible => "compatible",
            };
            let _ = writeln!(
                out,
                "| {class} | {} | {} | {} | {} |",
                c.kind.name(),
                cell(&c.path),
                cell(&c.before),
                cell(&c.after)
            );
        }
        for w in &findings.warnings {
            let _ = writeln!(
                out,
                "| warning | {} | {} | {} | {} |",
                w.check.name(),
                cell(&w.path),
                cell(&w.expected),
                cell(&w.actual)
            );
        }
        out.push('\n');
    }
}

/// Text for inside backticks in a table cell: no pipe, backtick or newline
/// can break the table or the code span.
fn code(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// Plain text for a Markdown line.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(if ch == '\n' || ch == '\r' { ' ' } else { ch });
    }
    out
}
