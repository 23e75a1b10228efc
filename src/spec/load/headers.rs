//! Header names written in specs: request headers, header expectations and
//! header captures.

use std::ops::Range;

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
            "",
        );
        None
    }
}
