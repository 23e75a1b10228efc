//! Reports: each one file that reads the results of a run
//! ([`crate::results`]) and formats them. None runs a scenario, sends a
//! request or blocks on a runtime.
//!
//! - [`message`]: the text of a failed or errored scenario;
//! - [`libtest`]: one libtest trial per scenario;
//! - [`junit`]: JUnit XML for CI;
//! - [`markdown`]: the drift report, for people (a PR comment, a CI job summary).

pub mod junit;
pub mod libtest;
pub mod markdown;
pub mod message;
pub mod text;

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
            })),
            steps: vec![StepResult {
                step,
                exchange,
                attempts: Default::default(),
                warnings: vec![],
            }],
            drift: None,
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
