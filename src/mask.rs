//! Keeps secrets out of every output: the API key and the shared secret are
//! replaced by `***` wherever they appear, in every form output can show them:
//! as written, escaped for JSON, Rust strings, regular expressions and XML,
//! percent-encoded as URLs carry them, and slugged as a trial name carries a
//! scenario name (`_` for every run of other characters, lowercase); each in
//! any ASCII letter case.

/// Replaces known secrets in text.
///
/// ```
/// use veriff_conformance::Masker;
/// let m = Masker::new(["my-api-key-123", "s3cret-value"]);
/// assert_eq!(m.mask("X-AUTH-CLIENT: my-api-key-123"), "X-AUTH-CLIENT: ***");
/// ```
#[derive(Clone, Default)]
pub struct Masker {
    /// Every form of every secret, longest first; shared by every clone (each
    /// libtest trial holds one).
    secrets: std::sync::Arc<[String]>,
    /// One automaton over all of them, so that masking a text is one pass
    /// whatever the number of forms; `None` when there is nothing to mask.
    finder: Option<aho_corasick::AhoCorasick>,
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
    /// A masker for these secrets in every form of [`secret_forms`].
    pub fn new<S: AsRef<str>>(given: impl IntoIterator<Item = S>) -> Self {
        let mut secrets: Vec<String> = Vec::new();
        for secret in given {
            let secret = secret.as_ref();
            if secret.len() < MIN_MASKED_LEN {
                continue;
            }
            secrets.extend(secret_forms(secret).into_iter().filter(|f| !f.is_empty()));
        }
        Masker::of(secrets)
    }

    fn of(mut secrets: Vec<String>) -> Masker {
        // Longest first, so that a secret containing another is masked whole.
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        let finder = (!secrets.is_empty()).then(|| {
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                // A header or hex digits may come back in another case.
                .ascii_case_insensitive(true)
                .build(&secrets)
                .expect("a few short literal patterns always build")
        });
        Masker {
            secrets: secrets.into(),
            finder,
        }
    }

    /// A masker for the secrets of both.
    pub fn also(&self, other: &Masker) -> Masker {
        Masker::of([&self.secrets[..], &other.secrets[..]].concat())
    }

    /// `bytes` with every secret replaced by `***`; borrowed when nothing
    /// changed. Bytes that are not UTF-8 (an image, say) are searched as they are.
    pub fn mask_bytes<'a>(&self, bytes: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        match &self.finder {
            Some(finder) if finder.is_match(bytes) => {
                let stars = vec!["***"; self.secrets.len()];
                std::borrow::Cow::Owned(finder.replace_all_bytes(bytes, &stars))
            }
            _ => std::borrow::Cow::Borrowed(bytes),
        }
    }

    /// Whether any of `texts` may hold a secret: one search over all of them
    /// (a header list, say) instead of one per text. Never false when one of
    /// them holds a secret; may be true when none does but their joining does.
    ///
    /// ```
    /// let m = veriff_conformance::Masker::new(["my-api-key-123"]);
    /// assert!(m.may_hold_any(["a", "b my-api-key-123"].map(str::as_bytes)));
    /// assert!(!m.may_hold_any(["a", "b"].map(str::as_bytes)));
    /// ```
    pub fn may_hold_any<'a>(&self, texts: impl IntoIterator<Item = &'a [u8]>) -> bool {
        let Some(finder) = &self.finder else {
            return false;
        };
        let mut joined = Vec::with_capacity(512);
        for text in texts {
            joined.extend_from_slice(text);
            joined.push(0);
        }
        finder.is_match(&joined)
    }

    /// `text` with every secret replaced by `***`.
    pub fn mask(&self, text: &str) -> String {
        match &self.finder {
            Some(finder) if finder.is_match(text) => {
                let stars = vec!["***"; self.secrets.len()];
                finder.replace_all(text, &stars)
            }
            _ => text.to_string(),
        }
    }
}

/// Every form in which output can show `secret`: as written and as a regular
/// expression escapes it (a captured value inside `{$regex}`), each of those
/// as is and escaped for JSON, Rust strings and XML; and percent-encoded as a
/// URL path or query carries it, or with every byte but letters and digits
/// encoded (upper- and lowercase hex); and slugged as a scenario name is in
/// its trial name (`A-b c` becomes `a_b_c`), lowercase and as written.
///
/// ```
/// let forms = veriff_conformance::secret_forms("a-b c\"d");
/// for form in [r#"a-b c"d"#, r#"a\-b c"d"#, r#"a-b c\"d"#, "a-b c&quot;d", "a-b%20c%22d", "a%2Db%20c%22d", "a%2db%20c%22d", "a_b_c_d"] {
///     assert!(forms.contains(&form.to_string()), "{form} is missing from {forms:?}");
/// }
/// ```
pub fn secret_forms(secret: &str) -> Vec<String> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let mut out = Vec::new();
    for base in [secret.to_string(), regex::escape(secret)] {
        let json = serde_json::to_string(&base).unwrap_or_default();
        let debug = format!("{base:?}");
        out.extend([xml(&base), unquote(&json), unquote(&debug), base]);
    }
    let mut url = reqwest::Url::parse("http://h/").expect("a fixed URL parses");
    url.set_path(secret);
    out.push(url.path().trim_start_matches('/').to_string());
    url.set_query(Some(secret));
    out.extend(url.query().map(str::to_string));
    let encoded = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    out.push(lower_hex_escapes(&encoded));
    out.push(encoded);
    let slugged = slug_form(secret);
    out.push(slugged.to_lowercase());
    out.push(slugged);
    out.sort();
    out.dedup();
    out
}

/// `secret` as a trial name shows it when it is written inside a scenario
/// name: each run of characters that are not letters or digits becomes one
/// `_`, none at either end (as `scenario::load::slug` makes trial names,
/// but keeping the case; the caller adds the lowercase form).
fn slug_form(secret: &str) -> String {
    let mut out = String::with_capacity(secret.len());
    for c in secret.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// `text` escaped for XML character data and attribute values.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `%2D` written `%2d`.
fn lower_hex_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    out
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
    fn a_secret_in_another_letter_case_is_masked() {
        let key = "c0ffee00-aBcD-4e5f-9a8b-0123456789ab";
        let m = Masker::new([key]);
        let upper = format!("x-auth-client: {:?}", key.to_ascii_uppercase());
        assert_eq!(m.mask(&upper), "x-auth-client: \"***\"");
        let lower = key.to_ascii_lowercase();
        assert_eq!(m.mask_bytes(lower.as_bytes()).as_ref(), b"***");
    }

    #[test]
    fn short_secrets_are_not_masked_and_long_ones_win() {
        let m = Masker::new(["abc", "secret", "secret-longer"]);
        assert_eq!(m.mask("abc secret-longer secret"), "abc *** ***");
    }

    #[test]
    fn a_secret_written_inside_a_scenario_name_is_masked_in_the_trial_name() {
        let key = "AKEY-0b1c.2d3e+4f\"5a";
        let name = format!("a name holding {key} in the middle");
        let trial = format!("spec::{}", crate::scenario::load::slug(&name));
        let masked = Masker::new([key]).mask(&trial);
        assert_eq!(masked, "spec::a_name_holding_***_in_the_middle");
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
