//! JUnit XML for CI: failures (the API does not conform) and errors (the spec,
//! the network or the harness broke) are kept apart, as JUnit intends.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::trials::{Record, Verdict};

/// The JUnit report of a run: one test suite per spec file.
///
/// ```
/// use std::time::Duration;
/// use veriff_conformance::report::junit::render;
/// use veriff_conformance::exec::outcome::ErrorKind;
/// use veriff_conformance::report::trials::{Record, Verdict};
///
/// let xml = render(&[
///     Record { name: "a::ok".into(), file: "specs/a.yaml".into(), verdict: Verdict::Passed, duration: Duration::ZERO },
///     Record { name: "a::bad".into(), file: "specs/a.yaml".into(), verdict: Verdict::Failure("status".into()), duration: Duration::ZERO },
///     Record { name: "a::down".into(), file: "specs/a.yaml".into(), verdict: Verdict::Error(ErrorKind::Network, "refused".into()), duration: Duration::ZERO },
/// ]);
/// assert!(xml.contains("<failure"));
/// assert!(xml.contains("<error"));
/// ```
pub fn render(records: &[Record]) -> String {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for record in records {
        let status = match &record.verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Skipped(reason) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(reason.as_str());
                s
            }
            Verdict::Failure(text) => non_success(NonSuccessKind::Failure, "nonconformance", text),
            Verdict::Error(kind, text) => non_success(NonSuccessKind::Error, kind.name(), text),
        };
        let mut case = TestCase::new(record.name.as_str(), status);
        case.set_classname(record.file.as_str());
        case.set_time(record.duration);
        suites
            .entry(record.file.as_str())
            .or_insert_with(|| TestSuite::new(record.file.as_str()))
            .add_test_case(case);
    }
    let mut report = Report::new("veriff-conformance");
    report.add_test_suites(suites.into_values());
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
