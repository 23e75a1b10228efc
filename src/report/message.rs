//! The text of a failing or erroring trial: the step, the spec's file:line,
//! the request line, the response status and body excerpt, and every unmet
//! expectation with expected, actual and JSON path. Secrets masked.

use std::fmt::Write as _;
use std::sync::Arc;

use super::mask::Masker;
use crate::check::excerpt;
use crate::exec::outcome::{ErrorKind, Failure, RunError};
use crate::spec::error::SpecError;
use crate::spec::source::SourceFile;

fn location(file: &SourceFile, at: &std::ops::Range<usize>) -> String {
    let (line, col) = file.line_col(at.start);
    format!("{}:{line}:{col}", file.name)
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
        excerpt(body.trim(), 400)
    );
    for (i, m) in failure.mismatches.iter().enumerate() {
        let what = if m.path.is_empty() {
            m.check.name().to_string()
        } else {
            format!("{} {}", m.check.name(), m.path)
        };
        let _ = writeln!(
            out,
            "  {}. {what}\n       expected: {}\n       actual:   {}\n       at {}",
            i + 1,
            m.expected,
            m.actual,
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
    let _ = writeln!(
        out,
        "error ({}){step}: {}",
        error.kind.name(),
        error.message
    );
    if let Some(line) = &error.request_line {
        let _ = writeln!(out, "  request:  {line}");
    }
    match (&error.at, error.kind) {
        (Some(at), ErrorKind::Spec) => {
            let rendered = SpecError::at(file, at.clone(), error.message.clone())
                .with_label("here")
                .render_plain();
            out.push_str(&rendered);
        }
        (Some(at), _) => {
            let _ = writeln!(out, "  --> {}", location(file, at));
        }
        (None, _) => {}
    }
    masker.mask(out.trim_end())
}
