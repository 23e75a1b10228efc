//! Text helpers shared by the reports.

/// Shortens a text for messages: at most `max` characters, marked when cut.
///
/// ```
/// assert_eq!(veriff_conformance::report::text::excerpt("abcdef", 3), "abc… (6 characters in all)");
/// assert_eq!(veriff_conformance::report::text::excerpt("abc", 3), "abc");
/// ```
pub fn excerpt(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}… ({count} characters in all)")
    }
}
