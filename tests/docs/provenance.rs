//! docs/suite.md's provenance tables ("Provenance: what each assertion rests on") kept
//! complete and honest: every scenario of both suites has a row, every row
//! names a scenario, rests on sections of docs/veriff-api.md that exist and
//! carries one of its four tags, and only what a `warn:` block asks for may
//! rest on less than [DOC].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use veriff_conformance::{Files, Loader, ReceiverUrls, Scenario, Suite, load_suite};

use crate::support::ROOT;

/// The document that holds the tables, relative to the repository's root.
const TABLES_IN: &str = "docs/suite.md";

/// The section of [`TABLES_IN`] that holds the tables, and the subsection of
/// each suite within it.
const SECTION: &str = "## Provenance: what each assertion rests on";
const API_PART: &str = "### The API suite";
const RECEIVER_PART: &str = "### The receiver suite";

/// The columns of both tables, in order.
const COLUMNS: [&str; 4] = ["scenario", "assertion", "rests on", "tag"];

/// The tags of docs/veriff-api.md, section 0.
const TAGS: [&str; 4] = ["[DOC]", "[DOC-old]", "[3P]", "[NF]"];

/// How a warning row's assertion starts.
const WARNING: &str = "warning:";

/// One row of a provenance table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    /// 1-based line in the document, for messages.
    line: usize,
    /// The trial name, without its backticks.
    scenario: String,
    assertion: String,
    rests_on: Vec<String>,
    tag: String,
}

/// The two tables, and what could not be read as rows of them.
#[derive(Debug, Default)]
struct Tables {
    api: Vec<Row>,
    receiver: Vec<Row>,
    problems: Vec<String>,
}

/// Splits a table line into its cells: `\|` is a pipe inside a cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().expect("one cell").push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().expect("one cell").push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// Reads the tables of `text`, a document named `name` in messages.
fn parse(name: &str, text: &str) -> Tables {
    let mut tables = Tables::default();
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == SECTION) else {
        tables
            .problems
            .push(format!("{name} has no section `{SECTION}`"));
        return tables;
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## ") || l.starts_with("# "))
        .map_or(lines.len(), |i| start + 1 + i);
    let mut part: Option<bool> = None; // Some(true): the API table
    let mut seen = BTreeSet::new();
    let mut header_seen = false;
    for (i, line) in lines.iter().enumerate().take(end).skip(start + 1) {
        let at = format!("{name}:{}", i + 1);
        let trimmed = line.trim_end();
        if trimmed.starts_with("### ") {
            part = match trimmed {
                API_PART => Some(true),
                RECEIVER_PART => Some(false),
                _ => None,
            };
            if let Some(p) = part {
                seen.insert(p);
            }
            header_seen = false;
            continue;
        }
        if !trimmed.trim_start().starts_with('|') {
            continue;
        }
        let Some(is_api) = part else {
            tables.problems.push(format!(
                "{at}: a table row outside `{API_PART}` and `{RECEIVER_PART}`"
            ));
            continue;
        };
        let row = cells(trimmed);
        if !header_seen {
            if row != COLUMNS {
                tables.problems.push(format!(
                    "{at}: the table's columns are {row:?}, not {COLUMNS:?}"
                ));
            }
            header_seen = true;
            continue;
        }
        if is_separator(&row) {
            continue;
        }
        if row.len() != COLUMNS.len() {
            tables.problems.push(format!(
                "{at}: {} cells where the table has {} (a `|` inside a cell is written `\\|`)",
                row.len(),
                COLUMNS.len()
            ));
            continue;
        }
        let scenario = row[0]
            .strip_prefix('`')
            .and_then(|s| s.strip_suffix('`'))
            .filter(|s| !s.is_empty() && !s.contains('`'));
        let Some(scenario) = scenario else {
            tables.problems.push(format!(
                "{at}: the scenario cell {:?} is not one trial name in backticks",
                row[0]
            ));
            continue;
        };
        let parsed = Row {
            line: i + 1,
            scenario: scenario.to_string(),
            assertion: row[1].clone(),
            rests_on: row[2].split(',').map(|s| s.trim().to_string()).collect(),
            tag: row[3].clone(),
        };
        if is_api {
            tables.api.push(parsed);
        } else {
            tables.receiver.push(parsed);
        }
    }
    for (part, heading) in [(true, API_PART), (false, RECEIVER_PART)] {
        if !seen.contains(&part) {
            tables
                .problems
                .push(format!("{name}: `{SECTION}` has no subsection `{heading}`"));
        }
    }
    tables
}

/// The section numbers of docs/veriff-api.md's headings: `## 11. Title`
/// gives `11`, `### 2.1 Title` gives `2.1`.
fn section_numbers(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("### ")
                .or_else(|| line.strip_prefix("## "))?;
            let number = rest.split_whitespace().next()?.trim_end_matches('.');
            let numeric = !number.is_empty()
                && number
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            numeric.then(|| number.to_string())
        })
        .collect()
}

/// Trial name, and whether a step of the scenario has a `warn:` block.
fn warn_blocks(scenarios: &[Scenario]) -> BTreeMap<String, bool> {
    scenarios
        .iter()
        .map(|s| {
            let warns = s.steps.iter().any(|step| step.expect.warn.is_some());
            (s.trial_name.clone(), warns)
        })
        .collect()
}

/// Both suites as the binary embeds them: (API, receiver).
fn suites() -> (BTreeMap<String, bool>, BTreeMap<String, bool>) {
    let api = load_suite(Suite::Api, &Loader::new(Files::Embedded));
    let names = ReceiverUrls::default()
        .run_values()
        .into_iter()
        .map(|v| v.name);
    let receiver = load_suite(
        Suite::Receiver,
        &Loader::new(Files::Embedded).with_run_values(names),
    );
    assert!(api.errors.is_empty(), "the API suite: {:?}", api.errors);
    assert!(
        receiver.errors.is_empty(),
        "the receiver suite: {:?}",
        receiver.errors
    );
    (
        warn_blocks(&api.scenarios),
        warn_blocks(&receiver.scenarios),
    )
}

fn read(relative: &str) -> String {
    let path = Path::new(ROOT).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The tables of [`TABLES_IN`]; a table that cannot be read fails here.
fn tables() -> Tables {
    let tables = parse(TABLES_IN, &read(TABLES_IN));
    assert!(
        tables.problems.is_empty(),
        "the provenance tables of {TABLES_IN} cannot be read:\n  {}",
        tables.problems.join("\n  ")
    );
    tables
}

/// Fails listing `problems` under `what`, if there are any.
fn report(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what} ({} in {TABLES_IN}, `{SECTION}`):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

// The checks, each a list of problems, so that they can be tested on
// tables made up for the purpose as well as on the real one.

fn scenarios_without_rows(
    suite: &str,
    scenarios: &BTreeMap<String, bool>,
    rows: &[Row],
) -> Vec<String> {
    let named: BTreeSet<&str> = rows.iter().map(|r| r.scenario.as_str()).collect();
    scenarios
        .keys()
        .filter(|s| !named.contains(s.as_str()))
        .map(|s| format!("{suite} scenario `{s}` has no row"))
        .collect()
}

fn rows_without_scenarios(
    suite: &str,
    scenarios: &BTreeMap<String, bool>,
    rows: &[Row],
) -> Vec<String> {
    rows.iter()
        .filter(|r| !scenarios.contains_key(&r.scenario))
        .map(|r| {
            format!(
                "line {}: `{}` is no scenario of the {suite} suite",
                r.line, r.scenario
            )
        })
        .collect()
}

fn unknown_sections(sections: &BTreeSet<String>, rows: &[Row]) -> Vec<String> {
    rows.iter()
        .flat_map(|r| {
            r.rests_on
                .iter()
                .filter(|s| !sections.contains(s.as_str()))
                .map(move |s| {
                    format!(
                        "line {} (`{}`): rests on {s:?}, which is no heading of docs/veriff-api.md",
                        r.line, r.scenario
                    )
                })
        })
        .collect()
}

fn unknown_tags(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter(|r| !TAGS.contains(&r.tag.as_str()))
        .map(|r| {
            format!(
                "line {} (`{}`): tag {:?} is not one of {}",
                r.line,
                r.scenario,
                r.tag,
                TAGS.join(", ")
            )
        })
        .collect()
}

fn weak_failures(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter(|r| TAGS.contains(&r.tag.as_str()) && r.tag != "[DOC]")
        .filter(|r| !r.assertion.starts_with(WARNING))
        .map(|r| {
            format!(
                "line {} (`{}`): {} but not a warning: {:?}",
                r.line, r.scenario, r.tag, r.assertion
            )
        })
        .collect()
}

fn warnings_out_of_step(scenarios: &BTreeMap<String, bool>, rows: &[Row]) -> Vec<String> {
    let warned: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.assertion.starts_with(WARNING))
        .map(|r| r.scenario.as_str())
        .collect();
    scenarios
        .iter()
        .filter_map(
            |(name, &has_warn)| match (has_warn, warned.contains(name.as_str())) {
                (true, false) => Some(format!(
                    "`{name}` has a `warn:` block but no `{WARNING}` row"
                )),
                (false, true) => Some(format!(
                    "`{name}` has a `{WARNING}` row but no step with a `warn:` block"
                )),
                _ => None,
            },
        )
        .collect()
}

#[test]
fn every_scenario_of_both_suites_has_a_row() {
    let (api, receiver) = suites();
    let tables = tables();
    let mut problems = scenarios_without_rows("API", &api, &tables.api);
    problems.extend(scenarios_without_rows(
        "receiver",
        &receiver,
        &tables.receiver,
    ));
    report("scenarios without a provenance row", &problems);
}

#[test]
fn every_row_names_a_scenario_of_its_suite() {
    let (api, receiver) = suites();
    let tables = tables();
    let mut problems = rows_without_scenarios("API", &api, &tables.api);
    problems.extend(rows_without_scenarios(
        "receiver",
        &receiver,
        &tables.receiver,
    ));
    report("rows naming no scenario", &problems);
}

#[test]
fn every_section_a_row_rests_on_is_a_heading_of_veriff_api_md() {
    let sections = section_numbers(&read("docs/veriff-api.md"));
    let tables = tables();
    let mut problems = unknown_sections(&sections, &tables.api);
    problems.extend(unknown_sections(&sections, &tables.receiver));
    report("sections that do not exist", &problems);
}

#[test]
fn every_row_carries_one_of_the_four_tags() {
    let tables = tables();
    let mut problems = unknown_tags(&tables.api);
    problems.extend(unknown_tags(&tables.receiver));
    report("unknown tags", &problems);
}

#[test]
fn only_a_warning_rests_on_less_than_doc() {
    let tables = tables();
    let mut problems = weak_failures(&tables.api);
    problems.extend(weak_failures(&tables.receiver));
    report(
        "failing assertions that rest on less than [DOC]: put them under `warn:` or find a [DOC] source",
        &problems,
    );
}

#[test]
fn a_scenario_has_a_warning_row_exactly_when_a_step_has_a_warn_block() {
    let (api, receiver) = suites();
    let tables = tables();
    let mut problems = warnings_out_of_step(&api, &tables.api);
    problems.extend(warnings_out_of_step(&receiver, &tables.receiver));
    report("warning rows and `warn:` blocks that disagree", &problems);
}

/// A document with a broken table, and the problems each check must find in it.
const BROKEN: &str = "\
# Title

## Provenance: what each assertion rests on

### The API suite

| scenario | assertion | rests on | tag |
|---|---|---|---|
| `a::known` | status 200 | 4.2, 2.4 | [DOC] |
| `a::known` | a body matching `^(x\\|y)$` | 4.2 | [3P] |
| `a::warned` | warning: a header | 99.9 | [DOC-old] |
| `a::gone` | status 404 | 3.1 | DOC |
| a::bare | status 401 | 3.1 | [DOC] |

### The receiver suite

| scenario | assertion | rests on | tag |
|---|---|---|---|
| `r::one` | warning: an answer in time | 5.7 | [NF] |
| `r::one` | too | many | cells | here |

## The next section

| `a::outside` | not read | 1 | [DOC] |
";

fn broken() -> Tables {
    parse("broken.md", BROKEN)
}

fn known(names: &[(&str, bool)]) -> BTreeMap<String, bool> {
    names.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

#[test]
fn the_table_reader_reads_escaped_pipes_and_names_rows_it_cannot_read() {
    let tables = broken();
    assert_eq!(tables.api.len(), 4, "{:?}", tables.api);
    assert_eq!(tables.receiver.len(), 1, "{:?}", tables.receiver);
    assert_eq!(tables.api[1].assertion, "a body matching `^(x|y)$`");
    assert_eq!(tables.api[0].rests_on, ["4.2", "2.4"]);
    assert_eq!(
        tables.problems,
        [
            "broken.md:13: the scenario cell \"a::bare\" is not one trial name in backticks",
            "broken.md:20: 5 cells where the table has 4 (a `|` inside a cell is written `\\|`)",
        ]
    );
    let missing = parse("empty.md", "# Title\n\n## Other\n");
    assert_eq!(
        missing.problems,
        ["empty.md has no section `## Provenance: what each assertion rests on`"]
    );
}

#[test]
fn the_checks_find_every_problem_of_a_broken_table() {
    let tables = broken();
    let api = known(&[
        ("a::known", false),
        ("a::warned", false),
        ("a::silent", true),
    ]);
    assert_eq!(
        scenarios_without_rows("API", &api, &tables.api),
        ["API scenario `a::silent` has no row"]
    );
    assert_eq!(
        rows_without_scenarios("API", &api, &tables.api),
        ["line 12: `a::gone` is no scenario of the API suite"]
    );
    let sections = section_numbers(
        "## 2. Auth\n### 2.4 Signatures\n### 4.2 PATCH\n## 3. Codes\n### 3.1 Envelope\n",
    );
    assert_eq!(
        sections,
        ["2", "2.4", "3", "3.1", "4.2"].map(String::from).into()
    );
    assert_eq!(
        unknown_sections(&sections, &tables.api),
        ["line 11 (`a::warned`): rests on \"99.9\", which is no heading of docs/veriff-api.md"]
    );
    assert_eq!(
        unknown_tags(&tables.api),
        ["line 12 (`a::gone`): tag \"DOC\" is not one of [DOC], [DOC-old], [3P], [NF]"]
    );
    assert_eq!(
        weak_failures(&tables.api),
        ["line 10 (`a::known`): [3P] but not a warning: \"a body matching `^(x|y)$`\""]
    );
    assert_eq!(
        warnings_out_of_step(&api, &tables.api),
        [
            "`a::silent` has a `warn:` block but no `warning:` row",
            "`a::warned` has a `warning:` row but no step with a `warn:` block",
        ]
    );
}
