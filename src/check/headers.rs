//! `expect.headers`: present, absent, equal, regex; names case-insensitive.

use super::{CheckKind, Mismatch};
use crate::record::env::Env;
use crate::record::exchange::Response;
use crate::scenario::model::{HeaderExpect, HeaderRule, Located};

/// Every header mismatch.
pub fn check(rules: &[Located<HeaderExpect>], response: &Response, env: &Env) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for rule in rules {
        let actual = response.header(&rule.value.name);
        let mismatch = |expected: String| Mismatch {
            check: CheckKind::Header,
            path: rule.value.name.clone(),
            expected,
            actual: actual
                .as_deref()
                .map_or_else(|| "absent".to_string(), |v| format!("{v:?}")),
            at: rule.at.clone(),
        };
        match (&rule.value.rule, &actual) {
            (HeaderRule::Present, None) => out.push(mismatch("present".into())),
            (HeaderRule::Absent, Some(_)) => out.push(mismatch("absent".into())),
            (HeaderRule::Equals(t), _) => match env.render_string(t, response.json.as_ref().ok()) {
                Ok(want) if actual.as_deref() == Some(want.as_str()) => {}
                Ok(want) => out.push(mismatch(format!("{want:?}"))),
                Err(e) => out.push(mismatch(format!("a value that could not be computed: {e}"))),
            },
            (HeaderRule::Matches(re), Some(v)) if re.is_match(v) => {}
            (HeaderRule::Matches(re), _) => {
                out.push(mismatch(format!("a value matching /{}/", re.as_str())))
            }
            (HeaderRule::Present, Some(_)) | (HeaderRule::Absent, None) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::template::Template;

    fn rule(name: &str, rule: HeaderRule) -> Located<HeaderExpect> {
        Located {
            value: HeaderExpect {
                name: name.into(),
                rule,
            },
            at: 0..1,
        }
    }

    fn response() -> Response {
        Response::new(
            200,
            vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            b"{}".to_vec(),
        )
    }

    #[test]
    fn names_are_case_insensitive_and_every_rule_is_reported() {
        let rules = [
            rule("content-type", HeaderRule::Present),
            rule("x-hmac-signature", HeaderRule::Present),
            rule("content-type", HeaderRule::Absent),
            rule(
                "content-type",
                HeaderRule::Equals(Template::literal("application/json")),
            ),
            rule(
                "content-type",
                HeaderRule::Matches(std::sync::Arc::new(
                    regex::Regex::new("^application/json").unwrap(),
                )),
            ),
            rule(
                "x-missing",
                HeaderRule::Matches(std::sync::Arc::new(regex::Regex::new(".").unwrap())),
            ),
        ];
        let found = check(&rules, &response(), &Env::new("http://x"));
        let summary: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|m| (m.path.as_str(), m.expected.as_str(), m.actual.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("x-hmac-signature", "present", "absent"),
                (
                    "content-type",
                    "absent",
                    "\"application/json; charset=utf-8\""
                ),
                (
                    "content-type",
                    "\"application/json\"",
                    "\"application/json; charset=utf-8\""
                ),
                ("x-missing", "a value matching /./", "absent"),
            ]
        );
    }
}
