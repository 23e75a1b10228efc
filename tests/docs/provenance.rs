//! docs/suite.md's provenance tables ("Provenance: what each assertion rests on") kept
//! complete and honest: every scenario of both suites has a row, every row
//! names a scenario, rests on sections of docs/veriff-api.md that exist and
//! carries one of its four tags, and only what a `warn:` block asks for may
//! rest on less than [DOC]. Each thing a `warn:` block asks for (a status, a
//! header, a body field, the signature) is named by a `warning:` row of its
//! scenario, and each `warning:` row names one of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use veriff_conformance::{
    Expect, Files, JsonTemplate, Loader, ReceiverUrls, Scenario, SignatureExpect, StatusExpect,
    Suite, load_suite,
};

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

/// One thing a `warn:` block asks for, and the words that name it in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WarnItem {
    /// What it is, for messages: `header x-auth-client`.
    what: String,
    /// A row names the item when its assertion holds one of these (ASCII
    /// case ignored).
    named_by: Vec<String>,
}

impl WarnItem {
    fn new(what: String, named_by: Vec<String>) -> WarnItem {
        WarnItem { what, named_by }
    }

    fn is_named_in(&self, assertion: &str) -> bool {
        let assertion = assertion.to_ascii_lowercase();
        self.named_by
            .iter()
            .any(|word| assertion.contains(&word.to_ascii_lowercase()))
    }
}

/// How a status expectation is written in a row: `200`, `4xx`; `{not: 2xx}`
/// as `2xx` ("any answer but a 2xx").
fn status_words(status: &StatusExpect) -> Vec<String> {
    match status {
        StatusExpect::AnyOf(codes) => codes.iter().map(u16::to_string).collect(),
        StatusExpect::Class(class) => vec![format!("{class}xx")],
        StatusExpect::Not(inner) => status_words(inner),
    }
}

/// The dotted paths of a body's leaves (`verification.status`): the fields
/// whose values are not objects.
fn leaf_paths(template: &JsonTemplate, prefix: &str, out: &mut Vec<String>) {
    match template {
        JsonTemplate::Object(fields) => {
            for field in fields {
                let path = match prefix {
                    "" => field.key.clone(),
                    _ => format!("{prefix}.{}", field.key),
                };
                leaf_paths(&field.value, &path, out);
            }
        }
        _ if prefix.is_empty() => out.push("body".into()),
        _ => out.push(prefix.to_string()),
    }
}

/// Everything a `warn:` block asks for.
fn warn_items(warn: &Expect) -> Vec<WarnItem> {
    let mut items = Vec::new();
    if let Some(status) = &warn.status {
        items.push(WarnItem::new("status".into(), status_words(&status.value)));
    }
    for header in &warn.headers {
        let name = &header.value.name;
        items.push(WarnItem::new(
            format!("header {name}"),
            vec![format!("`{name}`")],
        ));
    }
    if let Some(body) = &warn.body {
        let mut paths = Vec::new();
        leaf_paths(&body.value, "", &mut paths);
        items.extend(
            paths
                .into_iter()
                .map(|path| WarnItem::new(format!("body field {path}"), vec![format!("`{path}`")])),
        );
    }
    if let Some(schema) = &warn.schema {
        // Rows name a schema by its file: `create-success.json`.
        let name = &schema.value.name;
        let file = Path::new(name)
            .file_name()
            .map_or(name.clone(), |f| f.to_string_lossy().into_owned());
        items.push(WarnItem::new(
            format!("schema {file}"),
            vec![format!("`{file}`")],
        ));
    }
    if warn.body_bytes.is_some() {
        items.push(WarnItem::new(
            "body bytes".into(),
            vec!["`body_base64`".into()],
        ));
    }
    if warn.signature.value != SignatureExpect::Ignore {
        items.push(WarnItem::new(
            "signature".into(),
            vec!["`x-hmac-signature`".into()],
        ));
    }
    items
}

/// Trial name, and what the `warn:` blocks of its steps ask for (empty when
/// it has none).
fn warn_blocks(scenarios: &[Scenario]) -> BTreeMap<String, Vec<WarnItem>> {
    scenarios
        .iter()
        .map(|s| {
            let items = s
                .steps
                .iter()
                .filter_map(|step| step.expect.warn.as_deref())
                .flat_map(warn_items)
                .collect();
            (s.trial_name.clone(), items)
        })
        .collect()
}

/// Each scenario's trial name, and what its `warn:` blocks ask for.
type Scenarios = BTreeMap<String, Vec<WarnItem>>;

/// Both suites as the binary embeds them: (API, receiver).
fn suites() -> (Scenarios, Scenarios) {
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

fn scenarios_without_rows(suite: &str, scenarios: &Scenarios, rows: &[Row]) -> Vec<String> {
    let named: BTreeSet<&str> = rows.iter().map(|r| r.scenario.as_str()).collect();
    scenarios
        .keys()
        .filter(|s| !named.contains(s.as_str()))
        .map(|s| format!("{suite} scenario `{s}` has no row"))
        .collect()
}

fn rows_without_scenarios(suite: &str, scenarios: &Scenarios, rows: &[Row]) -> Vec<String> {
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

fn warnings_out_of_step(scenarios: &Scenarios, rows: &[Row]) -> Vec<String> {
    let warning_rows = || rows.iter().filter(|r| r.assertion.starts_with(WARNING));
    let mut problems = Vec::new();
    for (name, items) in scenarios {
        for item in items {
            let named =
                warning_rows().any(|r| &r.scenario == name && item.is_named_in(&r.assertion));
            if !named {
                problems.push(format!(
                    "`{name}`: its `warn:` block's {} is named by no `{WARNING}` row (one of {:?})",
                    item.what, item.named_by
                ));
            }
        }
    }
    for row in warning_rows() {
        let Some(items) = scenarios.get(&row.scenario) else {
            continue; // rows_without_scenarios names it
        };
        if items.is_empty() {
            problems.push(format!(
                "line {} (`{}`): a `{WARNING}` row, but no step has a `warn:` block",
                row.line, row.scenario
            ));
        } else if !items.iter().any(|item| item.is_named_in(&row.assertion)) {
            problems.push(format!(
                "line {} (`{}`): a `{WARNING}` row that names nothing its `warn:` blocks ask for",
                row.line, row.scenario
            ));
        }
    }
    problems
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
fn everything_a_warn_block_asks_for_has_a_warning_row_and_every_warning_row_names_some() {
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

/// Scenarios of these names without `warn:` blocks.
fn known(names: &[&str]) -> Scenarios {
    names.iter().map(|n| (n.to_string(), Vec::new())).collect()
}

/// The scenarios of a spec file written for the test `test` (in a folder of
/// its own: tests run at once), loaded as any spec is.
fn loaded(test: &str, file: &str, yaml: &str) -> Scenarios {
    let dir = crate::support::fresh_dir(&format!("provenance/{test}"));
    let path = dir.join(file);
    std::fs::write(&path, yaml).expect("the spec written");
    std::fs::create_dir_all(dir.join("schemas")).expect("a schemas folder");
    std::fs::write(dir.join("schemas/any.json"), "{}").expect("the schema written");
    let loaded = veriff_conformance::load_paths(&[path]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    warn_blocks(&loaded.scenarios)
}

/// Two scenarios with `warn:` blocks: every kind of thing a block can ask for.
const WARNED: &str = r#"
scenarios:
  - name: asks a lot
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: {}
        expect:
          status: 201
          warn:
            status: { not: 2xx }
            headers: { x-auth-client: { present: true } }
            body: { status: success, verification: { host: { $type: string } } }
            schema: schemas/any.json
            signature: required
      - name: download
        method: GET
        path: /v1/media/m
        expect:
          status: 200
          warn: { body_base64: "AAEC" }
  - name: asks little
    steps:
      - { name: create, method: POST, path: /v1/sessions, body: {},
          expect: { status: 201, warn: { status: [200, 201] } } }
"#;

/// Rows for [`WARNED`]: one item of `asks a lot` is named by none, and one
/// row names nothing it asks for.
const WARNED_ROWS: &str = "\
## Provenance: what each assertion rests on

### The API suite

| scenario | assertion | rests on | tag |
|---|---|---|---|
| `w::asks_a_lot` | warning: any answer but a 2xx, with `X-AUTH-CLIENT` | 4.1 | [3P] |
| `w::asks_a_lot` | warning: `status` is success and `verification.host` a string | 4.1 | [3P] |
| `w::asks_a_lot` | warning: the answer is quick | 4.1 | [NF] |
| `w::asks_little` | warning: a 201 | 4.1 | [3P] |
| `w::asks_a_lot` | warning: the body meets `any.json`, and the download is `body_base64` | 4.1 | [3P] |

### The receiver suite

| scenario | assertion | rests on | tag |
|---|---|---|---|
";

#[test]
fn every_thing_a_warn_block_asks_for_is_found_in_the_spec() {
    let scenarios = loaded("items", "w.yaml", WARNED);
    let items: Vec<(&str, &[String])> = scenarios["w::asks_a_lot"]
        .iter()
        .map(|i| (i.what.as_str(), i.named_by.as_slice()))
        .collect();
    assert_eq!(
        items,
        [
            ("status", &["2xx".to_string()][..]),
            ("header x-auth-client", &["`x-auth-client`".to_string()][..]),
            ("body field status", &["`status`".to_string()][..]),
            (
                "body field verification.host",
                &["`verification.host`".to_string()][..]
            ),
            ("schema any.json", &["`any.json`".to_string()][..]),
            ("signature", &["`x-hmac-signature`".to_string()][..]),
            ("body bytes", &["`body_base64`".to_string()][..]),
        ]
    );
    assert_eq!(scenarios["w::asks_little"][0].named_by, ["200", "201"]);
}

#[test]
fn an_unnamed_warn_item_and_a_row_that_names_none_are_problems() {
    let scenarios = loaded("problems", "w.yaml", WARNED);
    let tables = parse("warned.md", WARNED_ROWS);
    assert!(tables.problems.is_empty(), "{:?}", tables.problems);
    assert_eq!(
        warnings_out_of_step(&scenarios, &tables.api),
        [
            "`w::asks_a_lot`: its `warn:` block's signature is named by no `warning:` row (one of [\"`x-hmac-signature`\"])",
            "line 9 (`w::asks_a_lot`): a `warning:` row that names nothing its `warn:` blocks ask for",
        ]
    );
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
    let mut api = known(&["a::known", "a::warned", "a::silent"]);
    let silent = WarnItem::new("status".into(), vec!["200".into()]);
    api.insert("a::silent".into(), vec![silent]);
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
            "`a::silent`: its `warn:` block's status is named by no `warning:` row (one of [\"200\"])",
            "line 11 (`a::warned`): a `warning:` row, but no step has a `warn:` block",
        ]
    );
}
