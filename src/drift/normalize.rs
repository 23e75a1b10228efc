//! Normalisation: the ordered rules that turn a value which changes from run
//! to run (an id, a token, a timestamp, the run's own base URL) into a
//! placeholder, so that a baseline is stable and only real changes show.
//!
//! The list is **append-only**, as in trybuild's `normalize.rs`: a baseline
//! file records how many rules it was written with (`normalisation`), and a
//! later run normalises its own exchanges with exactly that many, so an old
//! baseline keeps comparing cleanly after new rules are added. Never reorder,
//! change or remove a rule; add a new one at the end of [`Rule::ALL`].
//!
//! Every rule applies to every string value of a response body (not to
//! object keys) and to the recorded header values, in this order:
//!
//! 1. [`Rule::BaseUrl`]: the run's base URL becomes `${run.base_url}`,
//!    inside longer strings too (`url`, `host`).
//! 2. [`Rule::Variables`]: the value of a scenario variable or capture, at
//!    least 8 characters long, becomes `${name}`, inside longer strings too;
//!    the longest value is replaced first.
//! 3. [`Rule::Uuid`]: any UUID becomes `<uuid>`.
//! 4. [`Rule::Jwt`]: a JWT-like token (three base64url parts, the first
//!    starting `eyJ`) becomes `<jwt>`.
//! 5. [`Rule::Timestamp`]: an ISO-8601 date and time becomes `<timestamp>`.
//! 6. [`Rule::Hex`]: a run of 32 or more hex digits (a signature, a token)
//!    becomes `<hex>`.
//!
//! The tests at the end of this file show the rules at work, and a baseline
//! written with fewer rules compared with only those.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// One normalisation rule. The order of [`Rule::ALL`] is the order applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The run's base URL becomes `${run.base_url}`.
    BaseUrl,
    /// A variable's or capture's value (8 characters or more) becomes `${name}`.
    Variables,
    /// A UUID becomes `<uuid>`.
    Uuid,
    /// A JWT-like token becomes `<jwt>`.
    Jwt,
    /// An ISO-8601 date and time becomes `<timestamp>`.
    Timestamp,
    /// 32 or more hex digits become `<hex>`.
    Hex,
}

impl Rule {
    /// Every rule, in the order applied. Append only.
    pub const ALL: &'static [Rule] = &[
        Rule::BaseUrl,
        Rule::Variables,
        Rule::Uuid,
        Rule::Jwt,
        Rule::Timestamp,
        Rule::Hex,
    ];

    /// The rule's name, as docs/drift.md lists it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::BaseUrl => "base-url",
            Rule::Variables => "variables",
            Rule::Uuid => "uuid",
            Rule::Jwt => "jwt",
            Rule::Timestamp => "timestamp",
            Rule::Hex => "hex",
        }
    }
}

/// Placeholders the rules write; a value holding one is opaque.
pub const PLACEHOLDERS: &[&str] = &["${", "<uuid>", "<jwt>", "<timestamp>", "<hex>"];

/// Shortest variable value that [`Rule::Variables`] replaces: shorter ones
/// (`created`, `1101`) would also hide ordinary values.
pub const MIN_VARIABLE_LEN: usize = 8;

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        .expect("uuid regex")
});
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*").expect("jwt regex")
});
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?",
    )
    .expect("timestamp regex")
});
static HEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[0-9a-fA-F]{32,}\b").expect("hex regex"));

/// Applies the rules for one scenario of one run.
#[derive(Debug, Clone)]
pub struct Normalizer {
    base_url: String,
    /// `(name, value)`, longest value first; only values long enough to replace.
    variables: Vec<(String, String)>,
}

impl Normalizer {
    /// A normalizer for a run against `base_url`, with the scenario's
    /// variables and captures as `(name, value)`.
    pub fn new(base_url: &str, variables: Vec<(String, String)>) -> Self {
        let mut variables: Vec<(String, String)> = variables
            .into_iter()
            .filter(|(_, v)| v.chars().count() >= MIN_VARIABLE_LEN && !v.contains("***"))
            .collect();
        // Longest first, then by name, so that the result never depends on the
        // order the variables were found in.
        variables.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        variables.dedup_by(|a, b| a.1 == b.1);
        Normalizer {
            base_url: base_url.trim_end_matches('/').to_string(),
            variables,
        }
    }

    /// `text` with the first `rules` rules of [`Rule::ALL`] applied in order.
    pub fn string(&self, text: &str, rules: usize) -> String {
        let mut out = Cow::Borrowed(text);
        for rule in Rule::ALL.iter().take(rules) {
            if let Cow::Owned(changed) = self.apply(*rule, &out) {
                out = Cow::Owned(changed);
            }
        }
        out.into_owned()
    }

    fn apply<'a>(&self, rule: Rule, text: &'a str) -> Cow<'a, str> {
        match rule {
            Rule::BaseUrl => {
                if !self.base_url.is_empty() && text.contains(self.base_url.as_str()) {
                    Cow::Owned(text.replace(self.base_url.as_str(), "${run.base_url}"))
                } else {
                    Cow::Borrowed(text)
                }
            }
            Rule::Variables => {
                let mut out = Cow::Borrowed(text);
                for (name, value) in &self.variables {
                    if out.contains(value.as_str()) {
                        out = Cow::Owned(out.replace(value.as_str(), &format!("${{{name}}}")));
                    }
                }
                out
            }
            // Each regex runs only where it could match: most values are short words.
            Rule::Uuid if text.len() >= 36 && text.contains('-') => {
                UUID.replace_all(text, "<uuid>")
            }
            Rule::Jwt if text.contains("eyJ") => JWT.replace_all(text, "<jwt>"),
            Rule::Timestamp if text.len() >= 16 && text.contains(':') => {
                TIMESTAMP.replace_all(text, "<timestamp>")
            }
            Rule::Hex if text.len() >= 32 => HEX.replace_all(text, "<hex>"),
            Rule::Uuid | Rule::Jwt | Rule::Timestamp | Rule::Hex => Cow::Borrowed(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(n: &Normalizer, text: &str) -> String {
        n.string(text, Rule::ALL.len())
    }

    #[test]
    fn each_rule_writes_its_placeholder() {
        let n = Normalizer::new("https://api.example.com/", vec![]);
        assert_eq!(
            all(&n, "https://api.example.com/v/x"),
            "${run.base_url}/v/x"
        );
        assert_eq!(
            all(&n, "id 123e4567-E89B-12d3-a456-426614174000."),
            "id <uuid>."
        );
        assert_eq!(
            all(&n, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
            "<jwt>"
        );
        assert_eq!(all(&n, "2024-10-07T12:00:00+03:00"), "<timestamp>");
        assert_eq!(all(&n, "2024-10-07 12:00"), "<timestamp>");
        assert_eq!(all(&n, &"aB".repeat(32)), "<hex>");
        // Dates alone, short hex and words stay.
        assert_eq!(all(&n, "1990-01-31"), "1990-01-31");
        assert_eq!(all(&n, "deadbeef submitted"), "deadbeef submitted");
    }

    #[test]
    fn variables_win_over_typed_placeholders_and_short_ones_are_left_alone() {
        let id = "123e4567-e89b-12d3-a456-426614174000";
        let n = Normalizer::new(
            "http://h",
            vec![
                ("id".into(), id.into()),
                ("short".into(), "created".into()),
                ("secret".into(), "***".into()),
            ],
        );
        assert_eq!(all(&n, &format!("/v1/sessions/{id}")), "/v1/sessions/${id}");
        assert_eq!(all(&n, "created"), "created");
        assert_eq!(all(&n, "***"), "***");
    }

    #[test]
    fn the_longest_value_is_replaced_first_whatever_the_order_given() {
        let a = Normalizer::new(
            "",
            vec![
                ("short".into(), "abcdefgh".into()),
                ("long".into(), "abcdefgh-ijkl".into()),
            ],
        );
        let b = Normalizer::new(
            "",
            vec![
                ("long".into(), "abcdefgh-ijkl".into()),
                ("short".into(), "abcdefgh".into()),
            ],
        );
        assert_eq!(all(&a, "x abcdefgh-ijkl y"), "x ${long} y");
        assert_eq!(all(&b, "x abcdefgh-ijkl y"), "x ${long} y");
    }

    #[test]
    fn values_become_placeholders_only_under_the_rules_a_baseline_was_written_with() {
        let n = Normalizer::new(
            "http://127.0.0.1:4000",
            vec![("id".into(), "6f1c2a9e-0d4b-4c57-9a0e-1b2c3d4e5f60".into())],
        );
        assert_eq!(
            n.string(
                "http://127.0.0.1:4000/v/6f1c2a9e-0d4b-4c57-9a0e-1b2c3d4e5f60",
                Rule::ALL.len()
            ),
            "${run.base_url}/v/${id}"
        );
        assert_eq!(
            n.string("at 2024-10-07T12:00:00.123Z", Rule::ALL.len()),
            "at <timestamp>"
        );
        // A baseline written with only the first rule is compared with only that rule.
        assert_eq!(
            n.string("id 6f1c2a9e-0d4b-4c57-9a0e-1b2c3d4e5f60", 1),
            "id 6f1c2a9e-0d4b-4c57-9a0e-1b2c3d4e5f60"
        );
    }
}
