//! Keeps secrets out of every output: the API key and the shared secret are
//! replaced by `***` wherever they appear.

/// Replaces known secrets in text.
///
/// ```
/// use veriff_conformance::mask::Masker;
/// let m = Masker::new(["my-api-key-123", "s3cret-value"]);
/// assert_eq!(m.mask("X-AUTH-CLIENT: my-api-key-123"), "X-AUTH-CLIENT: ***");
/// ```
#[derive(Clone, Default)]
pub struct Masker {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Masker({} forms of secrets, hidden)", self.secrets.len())
    }
}

/// Secrets shorter than this are not searched for: masking every `a` would
/// make reports unreadable. Such a secret is too weak to use anyway.
pub const MIN_MASKED_LEN: usize = 4;

impl Masker {
    /// A masker for these secrets, as written and as JSON or Rust string
    /// escaping would show them inside a quoted value.
    pub fn new<S: AsRef<str>>(given: impl IntoIterator<Item = S>) -> Self {
        let mut secrets: Vec<String> = Vec::new();
        for secret in given {
            let secret = secret.as_ref();
            if secret.len() < MIN_MASKED_LEN {
                continue;
            }
            let json = serde_json::to_string(secret).unwrap_or_default();
            let debug = format!("{secret:?}");
            for form in [secret.to_string(), unquote(&json), unquote(&debug)] {
                if !form.is_empty() && !secrets.contains(&form) {
                    secrets.push(form);
                }
            }
        }
        // Longest first, so that a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Masker { secrets }
    }

    /// A masker for the secrets of both.
    pub fn also(&self, other: &Masker) -> Masker {
        let mut secrets = self.secrets.clone();
        for s in &other.secrets {
            if !secrets.contains(s) {
                secrets.push(s.clone());
            }
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Masker { secrets }
    }

    /// `bytes` with every secret replaced by `***` where the bytes are text;
    /// borrowed when nothing changed. Bytes that are not UTF-8 (an image, say)
    /// are searched as they are.
    pub fn mask_bytes<'a>(&self, bytes: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        let found = |hay: &[u8], needle: &[u8]| memchr::memmem::find(hay, needle).is_some();
        if !self.secrets.iter().any(|s| found(bytes, s.as_bytes())) {
            return std::borrow::Cow::Borrowed(bytes);
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => std::borrow::Cow::Owned(self.mask(text).into_bytes()),
            Err(_) => {
                let mut out = bytes.to_vec();
                for secret in &self.secrets {
                    let finder = memchr::memmem::Finder::new(secret.as_bytes());
                    let mut next = Vec::with_capacity(out.len());
                    let mut last = 0;
                    for at in finder.find_iter(&out) {
                        next.extend_from_slice(&out[last..at]);
                        next.extend_from_slice(b"***");
                        last = at + secret.len();
                    }
                    next.extend_from_slice(&out[last..]);
                    out = next;
                }
                std::borrow::Cow::Owned(out)
            }
        }
    }

    /// `text` with every secret replaced by `***`.
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }
}

fn unquote(quoted: &str) -> String {
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(quoted)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_not_masked_and_long_ones_win() {
        let m = Masker::new(["abc", "secret", "secret-longer"]);
        assert_eq!(m.mask("abc secret-longer secret"), "abc *** ***");
    }

    #[test]
    fn escaped_forms_of_a_secret_are_masked_and_debug_hides_them() {
        let m = Masker::new([r#"se"cr\et"#]);
        let json = serde_json::json!({ "echo": r#"se"cr\et"# }).to_string();
        assert_eq!(m.mask(&json), r#"{"echo":"***"}"#);
        assert_eq!(m.mask(&format!("{:?}", r#"se"cr\et"#)), r#""***""#);
        assert!(!format!("{m:?}").contains("se\"cr"));
    }
}
