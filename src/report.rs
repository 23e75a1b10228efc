//! Reports: each one file that reads the results of a run
//! ([`crate::results`]) and formats them. None runs a scenario, sends a
//! request or blocks on a runtime.
//!
//! - [`message`]: the text of a failed or errored scenario;
//! - [`explain`]: what a failure adds when the user may not have the spec file;
//! - [`auth_hint`]: Veriff's authentication codes read as a set-up problem;
//! - [`receiver_hint`]: a receiver URL that refused every genuine delivery alike;
//! - [`libtest`]: one libtest trial per scenario;
//! - [`junit`]: JUnit XML for CI;
//! - [`markdown`]: the drift report, for people (a PR comment, a CI job summary).
//!
//! Every report file is written by [`write`] in a [`Format`]; a new format
//! is a file here and a variant of [`Format`].

pub mod auth_hint;
pub mod explain;
pub mod junit;
pub mod libtest;
pub mod markdown;
pub mod message;
pub mod receiver_hint;
pub mod text;

use std::path::Path;

use crate::mask::Masker;
use crate::results::RunResults;

/// A report written to a file after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JUnit XML, for CI (`--junit FILE`).
    Junit,
    /// The Markdown drift report, for people (`--drift-report FILE`).
    Markdown,
}

impl Format {
    /// What the report is called in an error.
    pub fn name(self) -> &'static str {
        match self {
            Format::Junit => "JUnit report",
            Format::Markdown => "drift report",
        }
    }

    /// The report of `results` in this format, every secret `masker` knows hidden.
    pub fn render(self, results: &RunResults, masker: &Masker) -> String {
        match self {
            Format::Junit => junit::render(results, masker),
            Format::Markdown => markdown::render(results, masker),
        }
    }
}

/// Writes the report of `results` in `format` to `path`: the one way every
/// report file is written.
pub fn write(
    format: Format,
    path: &Path,
    results: &RunResults,
    masker: &Masker,
) -> Result<(), String> {
    std::fs::write(path, format.render(results, masker)).map_err(|e| {
        format!(
            "cannot write the {} to {}: {e}",
            format.name(),
            path.display()
        )
    })
}

/// Prints what libtest cannot show under a passing trial: each scenario's
/// warnings, new and gone scenarios, the run's distinct changes, and the
/// summary lines (`notes` in `report/libtest.rs`). Where
/// libtest writes: appended to its `--logfile` when given, else on standard
/// output, unless libtest writes JSON there (then on standard error).
pub fn print_notes(results: &RunResults, masker: &Masker, args: &libtest_mimic::Arguments) {
    print_after_summary(&libtest::notes(results, masker), args);
}

/// Prints `text` after libtest's summary, where libtest writes: appended to
/// its `--logfile` when given, else on standard output, unless libtest
/// writes JSON there (then on standard error). Nothing when it is empty.
pub fn print_after_summary(text: &str, args: &libtest_mimic::Arguments) {
    if text.is_empty() {
        return;
    }
    if let Some(path) = &args.logfile {
        use std::io::Write as _;
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()));
        if let Err(e) = appended {
            eprintln!("error: cannot write to the log file {path}: {e}");
        }
    } else if matches!(args.format, Some(libtest_mimic::FormatSetting::Json)) {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::check::{CheckKind, Mismatch};
    use crate::mask::Masker;
    use crate::record::exchange::{Exchange, Response, SentRequest};
    use crate::results::{
        ErrorKind, Failure, Outcome, RunError, RunResults, ScenarioResult, StepInfo, StepResult,
    };
    use crate::scenario::source::SourceFile;

    const SPEC: &str = "scenarios:\n  - name: submit\n    steps:\n      - name: submit it\n        expect: { status: 200 }\n";

    /// A saved run: one failed scenario (whose response echoes the API key),
    /// one errored, one passed. Nothing here talks to a server.
    fn saved() -> RunResults {
        let file = SourceFile::new("specs/a.yaml", "specs/a.yaml", SPEC);
        let step = StepInfo {
            number: 1,
            name: "submit it".into(),
            at: SPEC.find("- name: submit it").unwrap()..SPEC.len(),
        };
        let exchange = Exchange {
            request: SentRequest {
                method: reqwest::Method::PATCH,
                url: "http://127.0.0.1:9/v1/sessions/1".into(),
                headers: vec![("x-auth-client".into(), "key-0123456789".into())],
                body: br#"{"verification":{"status":"submitted"}}"#.to_vec(),
            },
            response: Response::new(
                400,
                vec![],
                br#"{"status":"fail","code":"1101","echo":"key-0123456789"}"#.to_vec(),
            ),
            elapsed: Duration::from_millis(3),
        };
        let at = SPEC.find("status: 200").unwrap();
        let failed = ScenarioResult {
            name: "a::submit".into(),
            file: Arc::clone(&file),
            outcome: Outcome::Failed(Box::new(Failure {
                step: step.clone(),
                exchange: exchange.clone(),
                mismatches: vec![Mismatch {
                    check: CheckKind::Status,
                    path: String::new(),
                    expected: "200".into(),
                    actual: "400".into(),
                    at: at..at + "status: 200".len(),
                }],
                later: vec![],
            })),
            steps: vec![StepResult {
                step,
                exchange,
                attempts: Default::default(),
                warnings: vec![],
            }],
            drift: None,
            explained: None,
            duration: Duration::from_millis(5),
        };
        let errored = ScenarioResult::without_steps(
            "a::down",
            Arc::clone(&file),
            Outcome::Errored(Box::new(RunError {
                kind: ErrorKind::Network,
                step: None,
                request_line: Some("GET http://127.0.0.1:9/v1/sessions/1".into()),
                message: "cannot connect: connection refused".into(),
                at: None,
            })),
        );
        let passed = ScenarioResult::without_steps("a::fine", file, Outcome::Passed);
        RunResults {
            scenarios: vec![Arc::new(errored), Arc::new(passed), Arc::new(failed)],
            load_errors: vec![],
            drift: None,
            setup_error: None,
        }
    }

    #[test]
    fn a_failure_message_and_a_junit_file_both_come_from_one_saved_results_value() {
        let results = saved();
        let masker = Masker::new(["key-0123456789"]);

        let failed = &results.scenarios[2];
        let text = super::message::of(failed, &masker).expect("a failure has a message");
        assert!(
            text.starts_with(
                "failure: 1 unmet expectation in step 1 \"submit it\"\n  --> specs/a.yaml:4:7\n"
            ),
            "{text}"
        );
        assert!(text.contains("  1. status\n       expected: 200\n       actual:   400\n       at specs/a.yaml:5:19"), "{text}");
        assert!(
            text.contains(r#""echo":"***""#) && !text.contains("key-0123456789"),
            "{text}"
        );
        assert!(super::message::of(&results.scenarios[1], &masker).is_none());

        let xml = super::junit::render(&results, &masker);
        assert!(
            xml.contains(
                r#"<testsuite name="specs/a.yaml" tests="3" skipped="0" errors="1" failures="1">"#
            ),
            "{xml}"
        );
        assert!(xml.contains(r#"<failure message="failure: 1 unmet expectation in step 1 &quot;submit it&quot;" type="nonconformance">"#), "{xml}");
        assert!(xml.contains(r#"<error message="error (network error): cannot connect: connection refused" type="network error">"#), "{xml}");
        assert!(!xml.contains("key-0123456789"), "{xml}");

        let Err(verdict) = super::libtest::verdict(failed, &masker) else {
            panic!("a failed scenario passed its trial");
        };
        assert_eq!(verdict.message(), Some(text.as_str()));
    }
}
