//! The text of a failing or erroring trial: the step, the spec's file:line,
//! the request line, the response status and body excerpt, and every unmet
//! expectation with expected, actual and JSON path. Secrets masked.

use std::fmt::Write as _;
use std::sync::Arc;

use super::text::{excerpt, printable};
use crate::check::CheckKind;
use crate::mask::Masker;
use crate::results::{ErrorKind, Failure, Outcome, RunError, ScenarioResult, StepResult};
use crate::scenario::error::SpecError;
use crate::scenario::model::WEBHOOK_METHOD;
use crate::scenario::source::SourceFile;

/// Characters of the response body shown in a failure.
pub const MAX_BODY_SHOWN: usize = 400;
/// Characters of an expected or actual value shown in a failure.
pub const MAX_VALUE_SHOWN: usize = 300;

fn location(file: &SourceFile, at: &std::ops::Range<usize>) -> String {
    let (line, col) = file.line_col(at.start);
    format!("{}:{line}:{col}", file.name)
}

/// The message of a scenario that failed or errored; `None` when it passed or
/// was ignored. It ends with how each failing step's exchanges came about
/// (retries after `Retry-After`, polling, a group), when that was more than one send.
pub fn of(result: &ScenarioResult, masker: &Masker) -> Option<String> {
    let (text, step): (String, Vec<usize>) = match &result.outcome {
        Outcome::Passed | Outcome::Ignored(_) => return None,
        Outcome::Failed(f) => (
            match &result.explained {
                None => failure(&result.file, f, masker),
                Some(explained) => format!(
                    "{}\n{}",
                    failure(&result.file, f, masker),
                    super::explain::of(explained, &result.file, f, masker)
                ),
            },
            f.by_step().map(|f| f.step.number).collect(),
        ),
        Outcome::Errored(e) => (
            error(&result.file, e, masker),
            e.step.iter().map(|s| s.number).collect(),
        ),
    };
    let several = step.len() > 1;
    let notes: Vec<String> = step
        .into_iter()
        .flat_map(|n| {
            attempts(&result.steps, n).into_iter().map(move |note| {
                if several {
                    format!("step {n}: {note}")
                } else {
                    note
                }
            })
        })
        .collect();
    if notes.is_empty() {
        return Some(text);
    }
    let notes: Vec<String> = notes.iter().map(|n| format!("  note: {n}")).collect();
    Some(masker.mask(&format!("{text}\n{}", notes.join("\n"))))
}

/// Lines saying how step `number`'s exchanges came about beyond a single
/// send: every retry after `Retry-After` (and why one was not retried),
/// polling with `retry:`, and the statuses of a `repeat:` group. Empty for a
/// plain step.
pub fn attempts(steps: &[StepResult], number: usize) -> Vec<String> {
    let mut notes = Vec::new();
    let of_step: Vec<&StepResult> = steps.iter().filter(|s| s.step.number == number).collect();
    if let Some(place) = of_step.iter().find_map(|s| s.attempts.group) {
        let statuses: Vec<String> = of_step
            .iter()
            .map(|s| s.exchange.response.status.to_string())
            .collect();
        notes.push(format!(
            "{} requests sent {}; statuses in that order: {}",
            place.of,
            if place.concurrently {
                "at the same moment"
            } else {
                "one after another"
            },
            statuses.join(", ")
        ));
    }
    for s in of_step {
        let who = match s.attempts.group {
            Some(place) => format!("request #{}: ", place.index),
            None => String::new(),
        };
        if let Some(p) = &s.attempts.polling {
            let times = if p.attempts == 1 { "once" } else { "times" };
            let count = if p.attempts == 1 {
                String::new()
            } else {
                format!("{} ", p.attempts)
            };
            if p.converged {
                notes.push(format!(
                    "{who}polled {count}{times} in {:.1} s until `retry.until` held",
                    p.elapsed.as_secs_f64()
                ));
            } else {
                notes.push(format!(
                    "{who}polled {count}{times} in {:.1} s and `retry.until` never held; the last answer is shown",
                    p.elapsed.as_secs_f64()
                ));
            }
        }
        for r in &s.attempts.retries {
            notes.push(format!(
                "{who}retried after a {} with Retry-After: {} (waited {:.1} s)",
                r.status,
                r.retry_after,
                r.delay.as_secs_f64()
            ));
        }
        if let Some(why) = &s.attempts.not_retried {
            notes.push(format!(
                "{who}the {} answer was not retried: {why}",
                s.exchange.response.status
            ));
        }
    }
    notes
}

/// The message of a failed trial: a first line naming every step with an
/// unmet expectation, then per step its place in the spec, its request line,
/// its response and its unmet expectations, numbered over the whole failure.
/// A failure of one step has no per-step heading.
pub fn failure(file: &Arc<SourceFile>, failure: &Failure, masker: &Masker) -> String {
    let mut out = String::new();
    let count = failure.count();
    let steps: Vec<String> = failure
        .by_step()
        .map(|f| format!("step {} \"{}\"", f.step.number, printable(&f.step.name)))
        .collect();
    let _ = writeln!(
        out,
        "failure: {count} unmet expectation{} in {}",
        if count == 1 { "" } else { "s" },
        and_list(&steps)
    );
    let mut item = 0;
    for (f, heading) in failure.by_step().zip(&steps) {
        if steps.len() > 1 {
            let _ = writeln!(out, "{heading}");
        }
        step_failure(&mut out, file, f, masker, &mut item);
    }
    masker.mask(out.trim_end())
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// One step's part of a failure message; `item` numbers the expectations.
fn step_failure(
    out: &mut String,
    file: &SourceFile,
    failure: &Failure,
    masker: &Masker,
    item: &mut usize,
) {
    let _ = writeln!(out, "  --> {}", location(file, &failure.step.at));
    let request = &failure.exchange.request;
    let response = &failure.exchange.response;
    let body = String::from_utf8_lossy(&response.body);
    let body = excerpt(&masker.mask(&printable(body.trim())), MAX_BODY_SHOWN);
    if request.method.as_str() == WEBHOOK_METHOD {
        // A webhook step: what was awaited where, and what came.
        let _ = writeln!(out, "  webhook:  {}", printable(&request.url));
        let came = if response.status == 0 {
            "nothing"
        } else {
            &body
        };
        let _ = writeln!(out, "  received: {came}");
    } else {
        let _ = writeln!(
            out,
            "  request:  {} {}",
            request.method,
            printable(&request.url)
        );
        let _ = writeln!(out, "  response: {} {body}", response.status);
    }
    for m in &failure.mismatches {
        *item += 1;
        let what = if m.path.is_empty() {
            m.check.name().to_string()
        } else {
            format!("{} {}", m.check.name(), m.path)
        };
        // Mask first, then shorten: a secret cut in half would no longer be found.
        let expected = excerpt(&masker.mask(&printable(&m.expected)), MAX_VALUE_SHOWN);
        let actual = excerpt(&masker.mask(&printable(&m.actual)), MAX_VALUE_SHOWN);
        // A drift mismatch compares with the recorded baseline, not the spec.
        let label = if m.check == CheckKind::Drift {
            "baseline"
        } else {
            "expected"
        };
        let _ = writeln!(
            out,
            "  {item}. {what}\n       {label}: {expected}\n       actual:   {actual}\n       at {}",
            location(file, &m.at)
        );
    }
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
                let _ = writeln!(out, "  request:  {}", printable(line));
            }
            let rendered = SpecError::at(file, at.clone(), error.message.clone())
                .with_label("here")
                .render_plain();
            out.push_str(&rendered);
        }
        (at, _) => {
            let _ = writeln!(out, "error ({kind}){step}: {}", error.message);
            if let Some(line) = &error.request_line {
                let _ = writeln!(out, "  request:  {}", printable(line));
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
            later: vec![],
        };
        let text = super::failure(&file, &failure, &Masker::new([secret]));
        assert!(!text.contains("SUPERSE"), "{text}");
        assert!(text.contains("***"), "{text}");
    }
}
