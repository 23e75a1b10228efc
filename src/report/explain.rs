//! What a failure message adds for a scenario whose spec file the user may
//! not have (the receiver suite, compiled into the binary): the scenario's
//! description, and for each failing step the request as it was sent
//! (headers and body, masked, the body cut) and the step's lines of the
//! spec, rendered from the text the run loaded, with a caret under each
//! unmet expectation.

use std::fmt::Write as _;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use super::text::{excerpt, printable};
use crate::mask::Masker;
use crate::record::exchange::SentRequest;
use crate::results::{Explained, Failure};
use crate::scenario::source::SourceFile;

/// Characters of a sent body shown: a whole decision webhook fits.
pub const MAX_SENT_BODY_SHOWN: usize = 4000;

/// Lines of a step shown in full; a longer step shows its first
/// [`HEAD_LINES`] and the lines of its unmet expectations.
pub const MAX_STEP_LINES: usize = 30;

/// The lines a long step shows from its start.
const HEAD_LINES: usize = 6;

/// The text added under a failure: the description, then per failing step
/// (`several`: the failure has more than one) what was sent and its spec lines.
pub fn of(explained: &Explained, file: &SourceFile, failure: &Failure, masker: &Masker) -> String {
    let mut out = String::new();
    if let Some(description) = &explained.description {
        let _ = writeln!(out, "  scenario: {}", printable(description.trim()));
    }
    let several = !failure.later.is_empty();
    for f in failure.by_step() {
        let whose = if several {
            format!(" by step {}", f.step.number)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  sent{whose}:");
        out.push_str(&sent(&f.exchange.request, masker));
        let marks: Vec<Range<usize>> = f.mismatches.iter().map(|m| m.at.clone()).collect();
        out.push_str(&step_lines(file, f.step.number, &f.step.at, &marks));
    }
    masker.mask(out.trim_end())
}

/// The request's headers, one a line, and its body, cut; masked.
fn sent(request: &SentRequest, masker: &Masker) -> String {
    let mut out = String::new();
    for (name, value) in &request.headers {
        let _ = writeln!(
            out,
            "    {}: {}",
            printable(name),
            masker.mask(&printable(value))
        );
    }
    let body = String::from_utf8_lossy(&request.body);
    let shown = if body.is_empty() {
        "(empty)".to_string()
    } else {
        // Mask first, then cut: a secret cut in half would no longer be found.
        excerpt(&masker.mask(&printable(&body)), MAX_SENT_BODY_SHOWN)
    };
    let _ = writeln!(out, "    body ({} bytes): {shown}", request.body.len());
    out
}

/// Step `number`'s lines of `file`, the step found from its name at
/// `name_at`, with a caret under each of `marks` that lies in it.
fn step_lines(
    file: &SourceFile,
    number: usize,
    name_at: &Range<usize>,
    marks: &[Range<usize>],
) -> String {
    let Some(step) = step_extent(&file.text, name_at.start) else {
        return String::new();
    };
    let text = &file.text[step.clone()];
    let first_line = file.line_col(step.start).0;
    let lines = text.lines().count();
    let inside: Vec<Range<usize>> = marks
        .iter()
        .filter(|m| m.start >= step.start && m.end <= step.end && m.start < m.end)
        .map(|m| m.start - step.start..m.end - step.start)
        .collect();
    let title = format!("step {number} as the spec writes it");
    let mut snippet = Snippet::source(text)
        .path(file.name.as_str())
        .line_start(first_line)
        .fold(lines > MAX_STEP_LINES);
    if lines > MAX_STEP_LINES {
        let head_end = text
            .match_indices('\n')
            .nth(HEAD_LINES - 1)
            .map_or(text.len(), |(i, _)| i);
        snippet = snippet.annotation(AnnotationKind::Visible.span(0..head_end));
    }
    for mark in inside {
        snippet = snippet.annotation(AnnotationKind::Primary.span(mark).label("unmet"));
    }
    let rendered = Renderer::plain().render(&[Level::NOTE.primary_title(title).element(snippet)]);
    let mut out = String::new();
    for line in rendered.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The byte range of the YAML sequence item (a step) whose key or value
/// starts at `offset`: from the start of the line of its `-` to the last line indented
/// deeper than that `-`, trailing blank and comment lines left out. `None`
/// when `offset` is not in the text.
pub fn step_extent(text: &str, offset: usize) -> Option<Range<usize>> {
    if offset > text.len() {
        return None;
    }
    // Lines as (start, text without its line break).
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        lines.push((start, line.trim_end_matches(['\n', '\r'])));
        start += line.len();
    }
    let at = lines
        .iter()
        .rposition(|(s, _)| *s <= offset)
        .unwrap_or_default();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let blank = |line: &str| {
        let t = line.trim();
        t.is_empty() || t.starts_with('#')
    };
    let is_item = |line: &str| line.trim_start().starts_with("- ") || line.trim() == "-";
    // Up to the line of the item's `-`: the name's own line, or the nearest
    // one above indented less than the name's key.
    let key_indent = indent(lines[at].1);
    let mut first = at;
    if !is_item(lines[at].1) {
        for i in (0..at).rev() {
            let line = lines[i].1;
            if blank(line) {
                continue;
            }
            if indent(line) < key_indent {
                if is_item(line) {
                    first = i;
                }
                break;
            }
        }
    }
    let dash = indent(lines[first].1);
    let mut last = first;
    for (i, (_, line)) in lines.iter().enumerate().skip(first + 1) {
        if blank(line) {
            continue;
        }
        if indent(line) <= dash {
            break;
        }
        last = i;
    }
    let (last_start, last_text) = lines[last];
    Some(lines[first].0..last_start + last_text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "scenarios:\n  - name: s\n    steps:\n      - name: first\n        method: POST\n        body:\n          a: 1\n\n        # a comment\n        expect: { status: 200 }\n      # between\n      - method: GET\n        name: second\n        expect: { status: 404 }\n  - name: t\n";

    fn extent_of(name: &str) -> &'static str {
        let at = SPEC.find(name).unwrap();
        let range = step_extent(SPEC, at).unwrap();
        &SPEC[range]
    }

    #[test]
    fn a_step_runs_from_its_dash_to_its_last_deeper_line() {
        assert_eq!(
            extent_of("first"),
            "      - name: first\n        method: POST\n        body:\n          a: 1\n\n        # a comment\n        expect: { status: 200 }"
        );
        assert_eq!(
            extent_of("second"),
            "      - method: GET\n        name: second\n        expect: { status: 404 }"
        );
    }

    #[test]
    fn the_step_lines_carry_their_line_numbers_and_a_caret_under_the_unmet_expectation() {
        let file = SourceFile::new("specs/r.yaml", "specs/r.yaml", SPEC);
        let at = SPEC.find("first").unwrap();
        let status = SPEC.find("status: 200").unwrap();
        let text = step_lines(
            &file,
            1,
            &(at..at + 5),
            std::slice::from_ref(&(status..status + 11)),
        );
        assert!(text.contains("--> specs/r.yaml:10:19"), "{text}");
        assert!(text.contains(" 4 |       - name: first"), "{text}");
        assert!(text.contains(" 7 |           a: 1"), "{text}");
        assert!(text.contains("^^^^^^^^^^^ unmet"), "{text}");
    }

    #[test]
    fn a_long_step_shows_its_head_and_its_unmet_expectation() {
        let body: String = (0..60).map(|i| format!("          k{i}: {i}\n")).collect();
        let spec =
            format!("steps:\n  - name: long\n    body:\n{body}    expect: {{ status: 200 }}\n");
        let file = SourceFile::new("l.yaml", "l.yaml", spec.as_str());
        let at = spec.find("long").unwrap();
        let status = spec.find("status: 200").unwrap();
        let text = step_lines(
            &file,
            1,
            &(at..at + 4),
            std::slice::from_ref(&(status..status + 11)),
        );
        assert!(text.contains("- name: long"), "{text}");
        assert!(text.contains("status: 200"), "{text}");
        assert!(!text.contains("k30: 30"), "{text}");
        assert!(text.lines().count() < MAX_STEP_LINES, "{text}");
    }

    #[test]
    fn the_sent_headers_and_body_are_masked_and_the_body_cut() {
        let request = SentRequest {
            method: reqwest::Method::POST,
            url: "http://r.test/d".into(),
            headers: vec![
                ("x-auth-client".into(), "KEY-123".into()),
                ("x-hmac-signature".into(), "ab12".into()),
            ],
            body: format!("{{\"person\":null,\"pad\":\"{}\"}}", "x".repeat(5000)).into_bytes(),
        };
        let text = sent(&request, &Masker::new(["KEY-123"]));
        assert!(text.contains("    x-auth-client: ***\n"), "{text}");
        assert!(text.contains("    x-hmac-signature: ab12\n"), "{text}");
        assert!(
            text.contains("body (5024 bytes): {\"person\":null"),
            "{text}"
        );
        assert!(text.contains("(5024 characters in all)"), "{text}");
    }
}
