//! One change of the API seen in many scenarios reads as one change: the
//! lines after libtest's summary, the summary line, the Markdown report and
//! JUnit group identical changes, with how often and where they were seen.

use std::path::Path;

use crate::support::{Change, mock, run_async, scratch, text};

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_removed_from_every_create_is_one_distinct_change_in_every_report() {
    let dir = scratch("rollup");
    let baseline = dir.join("baseline");
    let (md, xml) = (dir.join("drift.md"), dir.join("junit.xml"));
    let good = mock(Change::Nothing).await;
    let out = run_async(
        &good.base_url(),
        good.config(),
        &["--record-baseline", arg(&baseline)],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));

    let changed = mock(Change::RemovedField).await;
    let out = run_async(
        &changed.base_url(),
        changed.config(),
        &[
            "--baseline",
            arg(&baseline),
            "--drift-report",
            arg(&md),
            "--junit",
            arg(&xml),
        ],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(101), "{}", text(&out));

    // The summary line counts occurrences, and how many are distinct.
    let last = stdout.lines().last().expect("a last line");
    let breaking: usize = last
        .strip_prefix("drift: ")
        .and_then(|rest| rest.strip_suffix(" breaking (1 distinct), 0 compatible"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected summary line: {last}\n{stdout}"));
    assert!(breaking > 10, "{last}");

    // One line per distinct change, with its count and the first scenarios.
    let rollup = stdout
        .split("\n---- drift, by change ----\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no roll-up block:\n{stdout}"));
    let lines: Vec<&str> = rollup.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{rollup}");
    let line = lines[0];
    assert!(
        line.starts_with(
            "  breaking    field removed         $.verification.host: \"${run.base_url}\" -> absent  ("
        ),
        "{line}"
    );
    assert!(line.contains(&format!("({breaking} times in ")), "{line}");
    let more: usize = line
        .rsplit_once(" and ")
        .and_then(|(_, rest)| rest.strip_suffix(" more)"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `and N more`: {line}"));
    let scenarios = line
        .split(" scenarios: ")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no scenario count: {line}"));
    assert_eq!(more + 3, scenarios, "{line}");
    // Each change is not listed again per scenario after the summary.
    assert_eq!(
        stdout.matches("field removed").count(),
        1 + stdout.matches("(breaking, field removed)").count(),
        "{stdout}"
    );

    // The Markdown report leads with the distinct changes, names the target and
    // counts the ignored scenarios; per-scenario detail is collapsed.
    let md = std::fs::read_to_string(&md).expect("the drift report");
    assert!(md.starts_with(&format!("**{last}**")), "{md}");
    let ignored = stdout
        .lines()
        .find_map(|l| l.strip_prefix("test result: "))
        .and_then(|l| l.split("; ").find_map(|p| p.strip_suffix(" ignored")))
        .expect("libtest's ignored count");
    assert!(md.contains(&format!(" · {ignored} ignored\n")), "{md}");
    assert!(
        md.contains(&format!("Run against {}, compared", changed.base_url())),
        "{md}"
    );
    let table = md.find("### Distinct changes (1)").expect("the table");
    let details = md.find("<details>").expect("per-scenario detail");
    assert!(table < details, "{md}");
    assert_eq!(md.matches("<details>").count(), scenarios, "{md}");
    assert_eq!(md.matches("</details>").count(), scenarios, "{md}");
    assert!(md.chars().count() <= 60_000);

    // JUnit: the same lines, as the first test suite's output.
    let xml = std::fs::read_to_string(&xml).expect("the JUnit report");
    assert!(
        xml.contains("drift, by change:\n  breaking    field removed"),
        "{xml}"
    );
}
