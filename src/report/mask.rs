//! Keeps secrets out of every output: the API key and the shared secret are
//! replaced by `***` wherever they appear.

/// Replaces known secrets in text.
///
/// ```
/// use veriff_conformance::report::mask::Masker;
/// let m = Masker::new(["my-api-key-123", "s3cret-value"]);
/// assert_eq!(m.mask("X-AUTH-CLIENT: my-api-key-123"), "X-AUTH-CLIENT: ***");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Masker {
    secrets: Vec<String>,
}

/// Secrets shorter than this are not searched for: masking every `a` would
/// make reports unreadable. Such a secret is too weak to use anyway.
pub const MIN_MASKED_LEN: usize = 4;

impl Masker {
    /// A masker for these secrets.
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .filter(|s| s.len() >= MIN_MASKED_LEN)
            .collect();
        // Longest first, so that a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Masker { secrets }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_not_masked_and_long_ones_win() {
        let m = Masker::new(["abc", "secret", "secret-longer"]);
        assert_eq!(m.mask("abc secret-longer secret"), "abc *** ***");
    }
}
