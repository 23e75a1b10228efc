//! JUnit XML for CI, read from the results of a run: failures (the API does
//! not conform) and errors (the spec, the network or the harness broke) are
//! kept apart, as JUnit intends. One test suite per spec file; spec errors
//! found at load time are `<file>::<load>` errors. A scenario's drift from
//! the baseline and its warnings are its `<system-out>`, as text, one line
//! each under its step ([`libtest::scenario_notes`]), and the run's drift
//! summary is a property of the report's first test suite, whose own
//! `<system-out>` lists the distinct changes of the run, one line each.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{libtest, message};
use crate::mask::Masker;
use crate::results::{ErrorKind, Outcome, RunResults};

/// The JUnit report of a run.
///
/// ```
/// use std::sync::Arc;
/// use veriff_conformance::Masker;
/// use veriff_conformance::Format;
/// use veriff_conformance::{Outcome, RunResults, ScenarioResult};
/// use veriff_conformance::SourceFile;
///
/// let file = SourceFile::new("specs/a.yaml", "specs/a.yaml", "name: x\n");
/// let results = RunResults {
///     scenarios: vec![
///         Arc::new(ScenarioResult::without_steps("a::ok", file.clone(), Outcome::Passed)),
///         Arc::new(ScenarioResult::without_steps("a::later", file, Outcome::Ignored("needs the mock".into()))),
///     ],
///     load_errors: vec![],
///     drift: None,
///     setup_error: None,
/// };
/// let xml = Format::Junit.render(&results, &Masker::default());
/// assert!(xml.contains(r#"<testcase name="a::ok" classname="specs/a.yaml""#));
/// assert!(xml.contains(r#"<skipped message="needs the mock"/>"#));
/// ```
pub fn render(results: &RunResults, masker: &Masker) -> String {
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    let mut passed_notes: BTreeMap<String, String> = BTreeMap::new();
    let mut add =
        |file: &str, name: &str, status: TestCaseStatus, time: Duration, out: Option<String>| {
            let mut case = TestCase::new(masker.mask(name), status);
            if let Some(out) = out {
                case.set_system_out(out);
            }
            case.set_classname(masker.mask(file));
            case.set_time(time);
            suites
                .entry(file.to_string())
                .or_insert_with(|| TestSuite::new(masker.mask(file)))
                .add_test_case(case);
        };
    for result in &results.scenarios {
        let text = || message::of(result, masker).unwrap_or_default();
        let status = match &result.outcome {
            Outcome::Passed => {
                // Retries, polling and groups are shown even when all went well.
                let mut numbers: Vec<usize> = result.steps.iter().map(|s| s.step.number).collect();
                numbers.dedup();
                let notes: Vec<String> = numbers
                    .into_iter()
                    .flat_map(|n| message::attempts(&result.steps, n))
                    .collect();
                if !notes.is_empty() {
                    passed_notes.insert(result.name.clone(), masker.mask(&notes.join("\n")));
                }
                TestCaseStatus::success()
            }
            Outcome::Ignored(reason) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(reason.as_str());
                s
            }
            Outcome::Failed(_) => non_success(NonSuccessKind::Failure, "nonconformance", &text()),
            Outcome::Errored(e) => non_success(NonSuccessKind::Error, e.kind.name(), &text()),
        };
        // Retries, polling and groups of a passed scenario, then its drift and warnings.
        let notes: Vec<String> = [
            passed_notes.remove(&result.name),
            libtest::scenario_notes(result, masker),
        ]
        .into_iter()
        .flatten()
        .collect();
        let out = (!notes.is_empty()).then(|| notes.join("\n"));
        add(
            &result.file.name,
            &result.name,
            status,
            result.duration,
            out,
        );
    }
    for error in &results.load_errors {
        let file = error
            .location()
            .map(|(f, _, _)| f)
            .unwrap_or_else(|| "specs".into());
        let text = masker.mask(&error.render_plain());
        let status = non_success(NonSuccessKind::Error, ErrorKind::Spec.name(), &text);
        add(
            &file,
            &format!("{file}::<load>"),
            status,
            Duration::ZERO,
            None,
        );
    }
    if let Some(error) = &results.setup_error {
        // The run stopped before running anything: one error, not a stale report.
        let status = non_success(NonSuccessKind::Error, "setup error", &masker.mask(error));
        add("run", "run::<setup>", status, Duration::ZERO, None);
    }
    let mut report = Report::new("veriff-conformance");
    let mut suites: Vec<TestSuite> = suites.into_values().collect();
    if results.drift.is_some()
        && let Some(first) = suites.first_mut()
    {
        first.add_property(("drift", results.drift_summary().as_str()));
        if let Some(rollup) = libtest::rollup(results, masker) {
            first.set_system_out(format!("drift, by change:\n{rollup}"));
        }
    }
    report.add_test_suites(suites);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot serialize the JUnit report: {e} -->"))
}

fn non_success(kind: NonSuccessKind, ty: &str, text: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    status.set_message(text.lines().next().unwrap_or_default());
    status.set_type(ty);
    status.set_description(text);
    status
}
