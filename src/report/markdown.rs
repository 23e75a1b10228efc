//! The drift report for people (`--drift-report FILE`): Markdown fit to paste
//! as a pull-request comment or a CI job summary (`$GITHUB_STEP_SUMMARY`).
//!
//! In order: the summary line (drift, warnings, new, gone, failed, ignored);
//! the target and the baseline; a table of the distinct changes of the run
//! (class, kind, path, before, after, how often, where); the new and gone
//! scenarios; then, per scenario with drift or warnings (breaking first), a
//! collapsed `<details>` block with a table per step. The report stays under
//! a size limit ([`DEFAULT_LIMIT`]): it is cut at a block boundary (a table
//! row, a list item, a scenario's block) and ends with a note of what was
//! left out. Values are masked, shortened and escaped so that no table breaks.

use std::fmt::Write as _;

use super::text::excerpt;
use crate::drift::findings::DriftClass;
use crate::mask::Masker;
use crate::results::{Outcome, RunResults, ScenarioResult};

/// Characters of a value shown in a table cell.
pub const MAX_CELL: usize = 200;

/// Characters a report may have: under GitHub's 65,536 for a comment, with
/// room for a line of context around it.
pub const DEFAULT_LIMIT: usize = 60_000;

/// Scenario names shown in a cell of the table of distinct changes.
pub const NAMES_SHOWN: usize = 3;

/// The Markdown drift report of a run, within [`DEFAULT_LIMIT`] characters.
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
    render_within(results, masker, DEFAULT_LIMIT)
}

/// What a report is made of, in order; only whole blocks are written.
enum Block {
    /// Always written: the summary, the target, headings.
    Fixed(String),
    /// A row of the table of distinct changes.
    Change(String),
    /// An item of the new or gone list.
    Item(String),
    /// A scenario's collapsed detail.
    Scenario(String),
}

/// The Markdown drift report of a run in at most `limit` characters (never
/// less than its summary and target): from the first table row, list item or
/// scenario block that does not fit, everything is left out, and a last line
/// says how much.
///
/// ```
/// use veriff_conformance::{Masker, RunResults, markdown_within};
///
/// let md = markdown_within(&RunResults::default(), &Masker::default(), 1_000);
/// assert!(md.chars().count() <= 1_000);
/// ```
pub fn render_within(results: &RunResults, masker: &Masker, limit: usize) -> String {
    let blocks = blocks(results, masker);
    let mut out = String::new();
    let mut used = 0;
    let (mut cut_changes, mut cut_items, mut cut_scenarios) = (0, 0, 0);
    let mut cutting = false;
    // Room for the note of what was left out.
    let reserve = 300;
    for block in &blocks {
        let text = match block {
            Block::Fixed(t) | Block::Change(t) | Block::Item(t) | Block::Scenario(t) => t,
        };
        let len = text.chars().count();
        // Headings are short and always fit until the first cut; after it,
        // nothing more is written (no heading over an empty section).
        cutting = cutting || (used + len + reserve > limit && !matches!(block, Block::Fixed(_)));
        if cutting {
            match block {
                Block::Fixed(_) => {}
                Block::Change(_) => cut_changes += 1,
                Block::Item(_) => cut_items += 1,
                Block::Scenario(_) => cut_scenarios += 1,
            }
            continue;
        }
        out.push_str(text);
        used += len;
    }
    let mut out = out.trim_end().to_string();
    if cutting {
        let mut left = Vec::new();
        if cut_changes > 0 {
            left.push(format!(
                "{cut_changes} distinct change{}",
                plural(cut_changes)
            ));
        }
        if cut_items > 0 {
            left.push(format!(
                "{cut_items} new or gone scenario{}",
                plural(cut_items)
            ));
        }
        if cut_scenarios > 0 {
            left.push(format!(
                "the detail of {cut_scenarios} scenario{}",
                plural(cut_scenarios)
            ));
        }
        let _ = write!(
            out,
            "\n\n_Cut to stay under {limit} characters: left out {}. \
             The JUnit report (`--junit`) has every scenario's drift._",
            left.join(", ")
        );
    }
    out + "\n"
}

fn blocks(results: &RunResults, masker: &Masker) -> Vec<Block> {
    let mut blocks = Vec::new();
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
    let mut head = format!("**{}**", results.drift_summary());
    let _ = write!(
        head,
        " · {warnings} warning{} · {} new · {} gone · {} of {} scenario{} failed · {} ignored\n\n",
        plural(warnings),
        new.len(),
        gone.len(),
        failed,
        results.scenarios.len(),
        plural(results.scenarios.len()),
        results.ignored_count(),
    );
    if let Some(d) = &results.drift {
        let _ = writeln!(
            head,
            "Run against {}, compared with the baseline in `{}`.\n",
            text(&masker.mask(&d.target)),
            code(&masker.mask(&d.dir.display().to_string()))
        );
    }
    blocks.push(Block::Fixed(mask_block(masker, head)));
    let groups = results.drift_groups();
    if !groups.is_empty() {
        blocks.push(Block::Fixed(format!(
            "### Distinct changes ({})\n\n| class | kind | path | before | after | seen | in |\n|---|---|---|---|---|---|---|\n",
            groups.len()
        )));
        let cell = |v: &str| format!("`{}`", code(&excerpt(&masker.mask(v), MAX_CELL)));
        for g in &groups {
            let c = &g.change;
            let mut names: Vec<String> = g
                .scenarios
                .iter()
                .take(NAMES_SHOWN)
                .map(|n| format!("`{}`", code(&masker.mask(n))))
                .collect();
            let more = g.scenarios.len().saturating_sub(NAMES_SHOWN);
            if more > 0 {
                names.push(format!("and {more} more"));
            }
            let row = format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                class_cell(c.class),
                c.kind.name(),
                cell(&c.path),
                cell(&c.before),
                cell(&c.after),
                g.count,
                names.join(", ")
            );
            blocks.push(Block::Change(mask_block(masker, row)));
        }
        blocks.push(Block::Fixed("\n".into()));
    }
    if !new.is_empty() {
        blocks.push(Block::Fixed(
            "### New scenarios (no baseline file; record one with `--record-baseline`)\n\n".into(),
        ));
        for s in new {
            let item = format!("- `{}`\n", code(&masker.mask(&s.name)));
            blocks.push(Block::Item(mask_block(masker, item)));
        }
        blocks.push(Block::Fixed("\n".into()));
    }
    if !gone.is_empty() {
        blocks.push(Block::Fixed(
            "### Gone (a baseline file with no scenario; delete it to accept)\n\n".into(),
        ));
        for g in gone {
            let item = format!(
                "- `{}`: `{}`\n",
                code(&masker.mask(&g.trial)),
                code(&masker.mask(&g.file.display().to_string()))
            );
            blocks.push(Block::Item(mask_block(masker, item)));
        }
        blocks.push(Block::Fixed("\n".into()));
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
    if !shown.is_empty() {
        blocks.push(Block::Fixed(format!(
            "### By scenario ({})\n\n",
            shown.len()
        )));
    }
    for s in shown {
        let mut block = String::new();
        scenario(&mut block, s, masker);
        blocks.push(Block::Scenario(mask_block(masker, block)));
    }
    blocks
}

/// A block masked as a whole, so that what is measured is what is written.
fn mask_block(masker: &Masker, block: String) -> String {
    masker.mask(&block)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn class_cell(class: DriftClass) -> &'static str {
    match class {
        DriftClass::Breaking => "**breaking**",
        DriftClass::Compatible => "compatible",
    }
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
        "<details><summary><code>{}</code> ({verdict}: {breaking} breaking, {compatible} compatible, {} warning{})</summary>\n",
        html(&masker.mask(&s.name)),
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
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                class_cell(c.class),
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
    out.push_str("</details>\n\n");
}

/// Text for inside an HTML element (a `<summary>`): no markup, one line.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::drift::findings::{Change, ChangeKind, RunDrift, ScenarioDrift, StepDrift};
    use crate::results::{ScenarioResult, StepInfo};
    use crate::scenario::source::SourceFile;

    /// `n` passed scenarios, each with one compatible change of its own whose
    /// values are long.
    fn many(n: usize) -> RunResults {
        let file = SourceFile::new("specs/a.yaml", "specs/a.yaml", "x: 1\n");
        let scenarios = (0..n)
            .map(|i| {
                let drift = ScenarioDrift {
                    file: PathBuf::from(format!("b/a/s{i}.json")),
                    new: false,
                    steps: vec![StepDrift {
                        step: StepInfo {
                            number: 1,
                            name: "create".into(),
                            at: 0..1,
                        },
                        request: "POST /v1/sessions".into(),
                        changes: vec![Change {
                            class: DriftClass::Compatible,
                            kind: ChangeKind::OpaqueChanged,
                            path: format!("$.field{i}"),
                            before: format!("\"{}\"", "b".repeat(150)),
                            after: format!("\"{}\"", "a".repeat(150)),
                        }],
                    }],
                };
                Arc::new(ScenarioResult {
                    drift: Some(drift),
                    ..ScenarioResult::without_steps(
                        format!("a::s{i:03}"),
                        Arc::clone(&file),
                        Outcome::Passed,
                    )
                })
            })
            .collect();
        RunResults {
            scenarios,
            load_errors: vec![],
            drift: Some(RunDrift {
                dir: "baseline".into(),
                gone: vec![],
                target: "https://stationapi.veriff.com".into(),
            }),
            setup_error: None,
        }
    }

    #[test]
    fn a_report_over_the_limit_is_cut_at_a_row_and_says_what_was_left_out() {
        let results = many(300);
        let md = render(&results, &Masker::default());
        assert!(md.chars().count() <= DEFAULT_LIMIT, "{}", md.len());
        assert!(
            md.starts_with("**drift: 0 breaking, 300 compatible (300 distinct)**"),
            "{md}"
        );
        assert!(md.contains("\nRun against https://stationapi.veriff.com, compared with the baseline in `baseline`.\n"), "{md}");
        let rows = md
            .lines()
            .filter(|l| l.starts_with("| compatible |"))
            .count();
        let left: usize = md
            .split("left out ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no note of what was left out:\n{md}"));
        assert!(rows > 0 && left > 0, "{rows} rows, {left} left out");
        assert_eq!(rows + left, 300);
        assert!(
            md.trim_end().ends_with(&format!(
                "left out {left} distinct changes, the detail of 300 scenarios. The JUnit report (`--junit`) has every scenario's drift._"
            )),
            "{}",
            &md[md.len() - 400..]
        );
        // Every row written is whole.
        for row in md.lines().filter(|l| l.starts_with("| compatible |")) {
            assert!(row.ends_with("` |"), "{row}");
            assert_eq!(row.matches(" | ").count(), 6, "{row}");
        }
    }

    #[test]
    fn a_report_under_the_limit_has_every_scenario_in_a_closed_details_block() {
        let results = many(20);
        let md = render(&results, &Masker::default());
        assert!(!md.contains("Cut to stay under"), "{md}");
        assert_eq!(md.matches("<details><summary><code>a::s").count(), 20);
        assert_eq!(md.matches("</details>").count(), 20);
        let table = md.find("### Distinct changes (20)").expect("the table");
        assert!(table < md.find("<details>").expect("a block"), "{md}");
        let cut = render_within(&results, &Masker::default(), 8_000);
        assert!(cut.chars().count() <= 8_000);
        assert_eq!(
            cut.matches("<details>").count(),
            cut.matches("</details>").count()
        );
        assert!(cut.contains("Cut to stay under 8000 characters"), "{cut}");
    }
}
