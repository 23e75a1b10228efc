//! How the mock writes the JSON of a webhook body. Veriff's docs say a
//! receiver verifies the signature over the bytes it received, never over
//! JSON parsed and written again, and say nothing of the spacing or escapes
//! of Veriff's own bodies (docs/mock.md, "Webhooks"). The forms other than
//! the default make a receiver that writes the JSON again fail against the
//! mock, as it would against Veriff one day.

use serde_json::Value;

/// The bytes of a webhook body.
///
/// ```
/// use serde_json::json;
/// use veriff_conformance::mock::BodyForm;
///
/// let body = json!({"person": {"firstName": "Jürgen"}});
/// assert_eq!(BodyForm::Compact.bytes(&body), "{\"person\":{\"firstName\":\"Jürgen\"}}".as_bytes());
/// assert_eq!(BodyForm::AsciiEscaped.bytes(&body), br#"{"person":{"firstName":"J\u00fcrgen"}}"#);
/// assert!(BodyForm::Pretty.bytes(&body).starts_with(b"{\n  \"person\": {\n"));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BodyForm {
    /// Compact, non-ASCII text as is: what `JSON.stringify` writes.
    #[default]
    Compact,
    /// Two-space indents, a line per value, `": "` after keys.
    Pretty,
    /// Compact, every non-ASCII character as a `\uXXXX` escape.
    AsciiEscaped,
}

impl BodyForm {
    /// Every form, with its name on the command line (`mock --webhook-body`).
    pub const NAMES: [(&'static str, BodyForm); 3] = [
        ("compact", BodyForm::Compact),
        ("pretty", BodyForm::Pretty),
        ("ascii-escaped", BodyForm::AsciiEscaped),
    ];

    /// `body` written in this form.
    pub fn bytes(self, body: &Value) -> Vec<u8> {
        match self {
            BodyForm::Compact => super::response::to_bytes(body),
            BodyForm::Pretty => {
                serde_json::to_vec_pretty(body).unwrap_or_else(|_| super::response::to_bytes(body))
            }
            BodyForm::AsciiEscaped => {
                let compact = super::response::to_bytes(body);
                // Non-ASCII characters are only ever inside strings.
                let text = String::from_utf8_lossy(&compact);
                let mut out = String::with_capacity(text.len());
                for c in text.chars() {
                    if c.is_ascii() {
                        out.push(c);
                    } else {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
                out.into_bytes()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_form_is_the_same_json_and_only_the_default_is_compact_utf8() {
        let body = json!({"a": "Müller 😀", "b": [1, {"c": null}]});
        for (_, form) in BodyForm::NAMES {
            let bytes = form.bytes(&body);
            assert_eq!(
                serde_json::from_slice::<Value>(&bytes).unwrap(),
                body,
                "{form:?}"
            );
        }
        let escaped = String::from_utf8(BodyForm::AsciiEscaped.bytes(&body)).unwrap();
        assert!(escaped.is_ascii(), "{escaped}");
        assert!(escaped.contains(r"\ud83d\ude00"), "{escaped}");
        assert_ne!(
            BodyForm::Pretty.bytes(&body),
            BodyForm::Compact.bytes(&body)
        );
    }
}
