//! Header names written in specs: request headers, header expectations and
//! header captures.

use std::ops::Range;

use crate::scenario::error::SpecError;

use super::cx::FileCx;

/// The lower-case form of a header name written in a spec, or an error at `at`.
pub(super) fn header_name(cx: &mut FileCx<'_>, name: &str, at: Range<usize>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if reqwest::header::HeaderName::from_bytes(lower.as_bytes()).is_ok() {
        Some(lower)
    } else {
        cx.error(
            at,
            format!("`{name}` is not a valid header name"),
            "bad header name",
            "a header name is letters, digits and ``!#$%&'*+-.^_`|~``, with no spaces",
        );
        None
    }
}

/// The header names of a step's `headers:`, to refuse two that differ only
/// in case: HTTP header names are case-insensitive, so one would silently
/// replace the other. (Exactly repeated keys are refused by the YAML reader
/// already.) `expect.headers` does not use this: there, each of several rules
/// for one header is checked.
#[derive(Default)]
pub(super) struct SeenHeaders {
    /// `(lower-case name, name as written, where)`.
    seen: Vec<(String, String, Range<usize>)>,
}

impl SeenHeaders {
    /// Records `written` (lower case `lower`) at `at`; if the same header was
    /// already written in another case, reports both places and returns false.
    pub(super) fn first(
        &mut self,
        cx: &mut FileCx<'_>,
        written: &str,
        lower: &str,
        at: Range<usize>,
    ) -> bool {
        if let Some((_, first, first_at)) = self.seen.iter().find(|(l, _, _)| l == lower) {
            let (line, col) = cx.file.line_col(first_at.start);
            let err = SpecError::at(
                cx.file,
                at,
                format!(
                    "header `{lower}` is written twice, as `{first}` (line {line}, column {col}) and as `{written}`"
                ),
            )
            .with_label("same header")
            .with_note(first_at.clone(), "first written here")
            .with_help("header names are case-insensitive: keep one of the two");
            cx.push(err);
            return false;
        }
        self.seen.push((lower.to_string(), written.to_string(), at));
        true
    }
}
