//! Text helpers shared by the reports.

/// Shortens a text for messages: at most `max` characters, marked when cut.
///
/// ```
/// assert_eq!(veriff_conformance::excerpt("abcdef", 3), "abc… (6 characters in all)");
/// assert_eq!(veriff_conformance::excerpt("abc", 3), "abc");
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

/// `text` with control characters shown as escapes, so that a value from a
/// spec or a response cannot forge a line of a report.
pub fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_as_escapes_and_other_characters_as_they_are() {
        assert_eq!(
            printable("GET /a\r\nrequest:  forged"),
            "GET /a\\r\\nrequest:  forged"
        );
        assert_eq!(printable("tab\there é"), "tab\\there é");
    }
}
