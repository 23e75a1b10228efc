//! The text of a failing or erroring trial: the step, the spec's file:line,
//! the request line, the response status and body excerpt, and every unmet
//! expectation with expected, actual and JSON path. Secrets masked.

use std::fmt::Write as _;
use std::sync::Arc;

use super::text::excerpt;
use crate::check::CheckKind;
use crate::mask::Masker;
use crate::results::{ErrorKind, Failure, Outcome, RunError, ScenarioResult};
use crate::spec::error::SpecError;
use crate::spec::source::SourceFile;

/// Characters of the response body shown in a failure.
pub const MAX_BODY_SHOWN: usize = 400;
/// Characters of an expected or actual value shown in a failure.
pub const MAX_VALUE_SHOWN: usize = 300;

fn location(file: &SourceFile, at: &std::ops::Range<usize>) -> String {
    let (line, col) = file.line_col(at.start);
    format!("{}:{line}:{col}", file.name)
}

/// The message of a scenario that failed or errored; `None` when it passed or was ignored.
pub fn of(result: &ScenarioResult, masker: &Masker) -> Option<String> {
    match &result.outcome {
        Outcome::Passed | Outcome::Ignored(_) => None,
        Outcome::Failed(f) => Some(failure(&result.file, f, masker)),
        Outcome::Errored(e) => Some(error(&result.file, e, masker)),
    }
}

/// The message of a failed trial.
pub fn failure(file: &Arc<SourceFile>, failure: &Failure, masker: &Masker) -> String {
    let mut out = String::new();
    let count = failure.mismatches.len();
    let _ = writeln!(
        out,
        "failure: {count} unmet expectation{} in step {} \"{}\"",
        if count == 1 { "" } else { "s" },
        failure.step.number,
        failure.step.name
    );
    let _ = writeln!(out, "  --> {}", location(file, &failure.step.at));
    let request = &failure.exchange.request;
    let _ = writeln!(out, "  request:  {} {}", request.method, request.url);
    let response = &failure.exchange.response;
    let body = String::from_utf8_lossy(&response.body);
    let _ = writeln!(
        out,
        "  response: {} {}",
        response.status,
        excerpt(&masker.mask(body.trim()), MAX_BODY_SHOWN)
    );
    for (i, m) in failure.mismatches.iter().enumerate() {
        let what = if m.path.is_empty() {
            m.check.name().to_string()
        } else {
            format!("{} {}", m.check.name(), m.path)
        };
        // Mask first, then shorten: a secret cut in half would no longer be found.
        let expected = excerpt(&masker.mask(&m.expected), MAX_VALUE_SHOWN);
        let actual = excerpt(&masker.mask(&m.actual), MAX_VALUE_SHOWN);
        // A drift mismatch compares with the recorded baseline, not the spec.
        let label = if m.check == CheckKind::Drift {
            "baseline"
        } else {
            "expected"
        };
        let _ = writeln!(
            out,
            "  {}. {what}\n       {label}: {expected}\n       actual:   {actual}\n       at {}",
            i + 1,
            location(file, &m.at)
        );
    }
    masker.mask(out.trim_end())
}

/// The message of an errored trial.
pub fn error(file: &Arc<SourceFile>, error: &RunError, masker: &Masker) -> String {
    let mut out = String::new();
    let step = match &error.step {
        Some(s) => format!(" in step {} \"{}\"", s.number, s.name),
        None => String::new(),
    };
    let kind = error.kind.name();
    match (&error.at, error.kind) {
        (Some(at), ErrorKind::Spec) => {
            // The rendered snippet carries the message; do not say it twice.
            let _ = writeln!(out, "error ({kind}){step}:");
            if let Some(line) = &error.request_line {
                let _ = writeln!(out, "  request:  {line}");
            }
            let rendered = SpecError::at(file, at.clone(), error.message.clone())
                .with_label("here")
                .render_plain();
            out.push_str(&rendered);
        }
        (at, _) => {
            let _ = writeln!(out, "error ({kind}){step}: {}", error.message);
            if let Some(line) = &error.request_line {
                let _ = writeln!(out, "  request:  {line}");
            }
            if let Some(at) = at {
                let _ = writeln!(out, "  --> {}", location(file, at));
            }
        }
    }
    masker.mask(out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Mismatch;
    use crate::record::exchange::{Exchange, Response, SentRequest};
    use crate::results::StepInfo;

    #[test]
    fn a_secret_cut_by_the_excerpt_is_still_masked() {
        let secret = "SUPERSECRET-0123456789";
        // The body excerpt ends in the middle of the secret.
        let body = format!(
            r#"{{"pad":"{}","echo":"{secret}"}}"#,
            "x".repeat(MAX_BODY_SHOWN - 25)
        );
        let value = format!("{}{secret}", "y".repeat(MAX_VALUE_SHOWN - 7));
        let file = SourceFile::new("t.yaml", "t.yaml", "steps:\n");
        let failure = Failure {
            step: StepInfo {
                number: 1,
                name: "s".into(),
                at: 0..1,
            },
            exchange: Exchange {
                request: SentRequest {
                    method: reqwest::Method::GET,
                    url: "http://h/x".into(),
                    headers: vec![],
                    body: vec![],
                },
                response: Response::new(200, vec![], body.into_bytes()),
                elapsed: std::time::Duration::ZERO,
            },
            mismatches: vec![Mismatch {
                check: CheckKind::Body,
                path: "$.echo".into(),
                expected: "\"other\"".into(),
                actual: value,
                at: 0..1,
            }],
        };
        let text = super::failure(&file, &failure, &Masker::new([secret]));
        assert!(!text.contains("SUPERSE"), "{text}");
        assert!(text.contains("***"), "{text}");
    }
}
