//! `expect.body`: the expected body, matched as a subset (default) or exactly.
//! Key order never matters; array order does. Strings may use variables,
//! including fields of the same response (`${response.verification.host}`),
//! and matchers (`{$regex: ...}`, `{$type: ...}`, `{$one_of: [...]}`).

use serde_json::Value;

use super::{CheckKind, Mismatch};
use crate::jsonpath::{push_index, push_key};
use crate::record::env::Env;
use crate::record::exchange::Response;
use crate::scenario::model::{Field, JsonTemplate, JsonType, Located, Matcher};

struct Walk<'a> {
    env: &'a Env,
    response: &'a Value,
    exact: bool,
    /// Where the body starts: its fields are located from there.
    base: usize,
    at: std::ops::Range<usize>,
    out: Vec<Mismatch>,
}

fn array_of(len: usize) -> String {
    format!("an array of {len} item{}", if len == 1 { "" } else { "s" })
}

fn show(value: &Value) -> String {
    value.to_string()
}

/// Every body mismatch, each with its JSON path.
pub fn check(
    expected: &Located<std::sync::Arc<JsonTemplate>>,
    exact: bool,
    response: &Response,
    env: &Env,
) -> Vec<Mismatch> {
    let body = match &response.json {
        Ok(body) => body,
        Err(why) => {
            return vec![Mismatch {
                check: CheckKind::Body,
                path: "$".into(),
                expected: "a JSON body".into(),
                actual: why.clone(),
                at: expected.at.clone(),
            }];
        }
    };
    let mut walk = Walk {
        env,
        response: body,
        exact,
        base: expected.at.start,
        at: expected.at.clone(),
        out: Vec::new(),
    };
    walk.compare(&expected.value, body, &mut String::from("$"));
    walk.out
}

fn same_scalar(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        // Integers compare exactly (as f64, 2^53 + 1 would equal 2^53); a float
        // equals an integer of the same value (`2.0` and `2`).
        (Value::Number(a), Value::Number(b)) => {
            a == b || ((a.is_f64() || b.is_f64()) && a.as_f64() == b.as_f64())
        }
        _ => expected == actual,
    }
}

impl Walk<'_> {
    /// Where a field's key is written in the file.
    fn located(&self, field: &Field) -> std::ops::Range<usize> {
        self.base + field.at.start..self.base + field.at.end
    }

    fn push(&mut self, path: &str, expected: String, actual: String) {
        self.out.push(Mismatch {
            check: CheckKind::Body,
            path: path.to_string(),
            expected,
            actual,
            at: self.at.clone(),
        });
    }

    /// What an expected value asks for, for a field that is absent.
    fn describe(&self, want: &JsonTemplate) -> String {
        match want {
            JsonTemplate::Scalar(v) => show(v),
            JsonTemplate::String(t) => match self.env.render_value(t, Some(self.response)) {
                Ok(v) => show(&v),
                Err(e) => format!("a value that could not be computed: {e}"),
            },
            JsonTemplate::Matcher(Matcher::Type(ty)) => format!("a value of type {}", ty.name()),
            JsonTemplate::Matcher(Matcher::Regex(t)) => {
                match self.env.render_with(t, Some(self.response), regex::escape) {
                    Ok(pattern) => format!("a string matching /{pattern}/"),
                    Err(e) => {
                        format!("a string matching a pattern that could not be computed: {e}")
                    }
                }
            }
            JsonTemplate::Matcher(Matcher::OneOf(items)) => self.one_of(items),
            JsonTemplate::Array(items) => array_of(items.len()),
            JsonTemplate::Object(_) => "an object".into(),
        }
    }

    /// What a `$one_of` accepts: each alternative as JSON, or as what its matcher asks for.
    fn one_of(&self, items: &[JsonTemplate]) -> String {
        let shown: Vec<String> = items.iter().map(|i| self.sketch(i)).collect();
        format!("one of {}", shown.join(" | "))
    }

    /// An expected value as compact text: JSON where it is a value, what a
    /// matcher asks for where it is one.
    fn sketch(&self, want: &JsonTemplate) -> String {
        match want {
            JsonTemplate::Array(items) => {
                let items: Vec<String> = items.iter().map(|i| self.sketch(i)).collect();
                format!("[{}]", items.join(","))
            }
            JsonTemplate::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}:{}",
                            show(&Value::from(f.key.as_str())),
                            self.sketch(&f.value)
                        )
                    })
                    .collect();
                format!("{{{}}}", fields.join(","))
            }
            JsonTemplate::Matcher(Matcher::OneOf(items)) => format!("({})", self.one_of(items)),
            other => self.describe(other),
        }
    }

    /// Whether `actual` meets `expected`, found without reporting anything.
    fn meets(&mut self, expected: &JsonTemplate, actual: &Value, path: &mut String) -> bool {
        let before = self.out.len();
        self.compare(expected, actual, path);
        let met = self.out.len() == before;
        self.out.truncate(before);
        met
    }

    /// Compares with `at` set to where the compared part is written.
    fn compare_at(
        &mut self,
        at: &std::ops::Range<usize>,
        expected: &JsonTemplate,
        actual: &Value,
        path: &mut String,
    ) {
        let outer = std::mem::replace(&mut self.at, at.clone());
        self.compare(expected, actual, path);
        self.at = outer;
    }

    fn compare(&mut self, expected: &JsonTemplate, actual: &Value, path: &mut String) {
        match expected {
            JsonTemplate::Scalar(want) => {
                if !same_scalar(want, actual) {
                    self.push(path, show(want), show(actual));
                }
            }
            JsonTemplate::String(t) => match self.env.render_value(t, Some(self.response)) {
                Ok(want) => {
                    if !same_scalar(&want, actual) {
                        self.push(path, show(&want), show(actual));
                    }
                }
                Err(e) => self.push(
                    path,
                    format!("a value that could not be computed: {e}"),
                    show(actual),
                ),
            },
            JsonTemplate::Matcher(Matcher::Type(ty)) => {
                if !ty.matches(actual) {
                    self.push(
                        path,
                        format!("a value of type {}", ty.name()),
                        format!("{} ({})", show(actual), JsonType::of(actual).name()),
                    );
                }
            }
            JsonTemplate::Matcher(Matcher::Regex(t)) => {
                let pattern = match self.env.render_with(t, Some(self.response), regex::escape) {
                    Ok(p) => p,
                    Err(e) => {
                        return self.push(
                            path,
                            format!("a value that could not be computed: {e}"),
                            show(actual),
                        );
                    }
                };
                match (crate::patterns::compiled(&pattern), actual) {
                    (Err(e), _) => self.push(
                        path,
                        format!("a valid regular expression: {e}"),
                        show(actual),
                    ),
                    (Ok(re), Value::String(s)) if re.is_match(s) => {}
                    (Ok(_), _) => {
                        self.push(path, format!("a string matching /{pattern}/"), show(actual))
                    }
                }
            }
            JsonTemplate::Matcher(Matcher::OneOf(items)) => {
                if !items.iter().any(|item| self.meets(item, actual, path)) {
                    let shown = self.one_of(items);
                    self.push(path, shown, show(actual));
                }
            }
            JsonTemplate::Array(items) => {
                let Value::Array(got) = actual else {
                    return self.push(path, array_of(items.len()), show(actual));
                };
                if got.len() != items.len() {
                    self.push(
                        path,
                        array_of(items.len()),
                        format!("{} items: {}", got.len(), show(actual)),
                    );
                }
                for (i, (want, have)) in items.iter().zip(got).enumerate() {
                    let len = path.len();
                    push_index(path, i);
                    self.compare(want, have, path);
                    path.truncate(len);
                }
            }
            JsonTemplate::Object(fields) => {
                let Value::Object(got) = actual else {
                    return self.push(path, "an object".into(), show(actual));
                };
                for field in fields {
                    let (key, want) = (&field.key, &field.value);
                    let len = path.len();
                    push_key(path, key);
                    match got.get(key) {
                        Some(have) => self.compare_at(&self.located(field), want, have, path),
                        None => {
                            let at = self.located(field);
                            let outer = std::mem::replace(&mut self.at, at);
                            let shown = self.describe(want);
                            self.push(path, shown, "absent".into());
                            self.at = outer;
                        }
                    }
                    path.truncate(len);
                }
                if self.exact {
                    for (key, have) in got {
                        if !fields.iter().any(|f| &f.key == key) {
                            let len = path.len();
                            push_key(path, key);
                            self.push(path, "no such field (exact match)".into(), show(have));
                            path.truncate(len);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::template::Template;
    use std::sync::Arc;

    fn field(key: &str, value: JsonTemplate) -> Field {
        Field {
            key: key.into(),
            at: 0..1,
            value,
        }
    }

    fn object(fields: Vec<Field>) -> Located<Arc<JsonTemplate>> {
        Located {
            value: Arc::new(JsonTemplate::Object(fields)),
            at: 0..1,
        }
    }

    fn found(
        expected: &Located<Arc<JsonTemplate>>,
        exact: bool,
        body: &str,
    ) -> Vec<(String, String, String)> {
        let response = Response::new(200, vec![], body.as_bytes().to_vec());
        check(expected, exact, &response, &Env::new("http://x"))
            .into_iter()
            .map(|m| (m.path, m.expected, m.actual))
            .collect()
    }

    #[test]
    fn an_absent_field_says_what_its_expectation_asks_for() {
        let expected = object(vec![
            field("a", JsonTemplate::Matcher(Matcher::Type(JsonType::String))),
            field(
                "b",
                JsonTemplate::Matcher(Matcher::Regex(Template::parse("^x${response.h}").unwrap())),
            ),
            field("c", JsonTemplate::Object(vec![])),
            field(
                "d",
                JsonTemplate::Array(vec![JsonTemplate::Scalar(Box::new(Value::Null))]),
            ),
            field("e", JsonTemplate::Scalar(Box::new(Value::from(1)))),
        ]);
        let s = |a: &str, b: &str| (a.to_string(), b.to_string(), "absent".to_string());
        assert_eq!(
            found(&expected, false, r#"{"h":"a.b"}"#),
            [
                s("$.a", "a value of type string"),
                s("$.b", r"a string matching /^xa\.b/"),
                s("$.c", "an object"),
                s("$.d", "an array of 1 item"),
                s("$.e", "1"),
            ]
        );
    }

    #[test]
    fn one_of_passes_when_any_alternative_is_met_and_names_them_all_when_none_is() {
        let s = |v: &str| JsonTemplate::String(Template::literal(v));
        let expected = object(vec![field(
            "code",
            JsonTemplate::Matcher(Matcher::OneOf(vec![s("1101"), s("1801")])),
        )]);
        assert!(found(&expected, false, r#"{"code":"1101"}"#).is_empty());
        assert!(found(&expected, false, r#"{"code":"1801"}"#).is_empty());
        assert_eq!(
            found(&expected, false, r#"{"code":"1803"}"#),
            [(
                "$.code".to_string(),
                r#"one of "1101" | "1801""#.to_string(),
                r#""1803""#.to_string()
            )]
        );
        assert_eq!(
            found(&expected, false, "{}")[0].1,
            r#"one of "1101" | "1801""#
        );
    }

    #[test]
    fn one_of_objects_are_matched_as_subsets_and_shown_as_json() {
        let s = |v: &str| JsonTemplate::String(Template::literal(v));
        let expected = Located {
            at: 0..1,
            value: Arc::new(JsonTemplate::Matcher(Matcher::OneOf(vec![
                JsonTemplate::Object(vec![
                    field("code", s("1812")),
                    field("message", s("Invalid")),
                ]),
                JsonTemplate::Object(vec![field("code", s("1819"))]),
            ]))),
        };
        // The second alternative, with an extra field: a subset match.
        assert!(found(&expected, false, r#"{"code":"1819","message":"x"}"#).is_empty());
        // The first alternative's code with another message meets neither.
        let unmet = found(&expected, false, r#"{"code":"1812","message":"x"}"#);
        assert_eq!(
            unmet,
            [(
                "$".to_string(),
                r#"one of {"code":"1812","message":"Invalid"} | {"code":"1819"}"#.to_string(),
                r#"{"code":"1812","message":"x"}"#.to_string()
            )]
        );
        // With `exact`, an alternative's extra fields count against it.
        assert_eq!(
            found(&expected, true, r#"{"code":"1819","message":"x"}"#).len(),
            1
        );
    }

    #[test]
    fn a_regex_is_compiled_once_and_still_judges_each_value() {
        let expected = object(vec![field(
            "id",
            JsonTemplate::Matcher(Matcher::Regex(Template::literal("^cached-[0-9]+$"))),
        )]);
        assert!(found(&expected, false, r#"{"id":"cached-1"}"#).is_empty());
        assert!(crate::patterns::is_cached("^cached-[0-9]+$"));
        assert_eq!(found(&expected, false, r#"{"id":"cached-x"}"#).len(), 1);
        let broken = object(vec![field(
            "id",
            JsonTemplate::Matcher(Matcher::Regex(Template::literal("(unclosed"))),
        )]);
        let e = found(&broken, false, r#"{"id":"x"}"#);
        assert!(e[0].1.starts_with("a valid regular expression"), "{e:?}");
    }

    #[test]
    fn exact_matching_reports_nested_extra_fields_that_subset_matching_allows() {
        let expected = object(vec![field(
            "v",
            JsonTemplate::Object(vec![field(
                "id",
                JsonTemplate::Scalar(Box::new(Value::from(1))),
            )]),
        )]);
        let body = r#"{"extra":true,"v":{"new":"field","id":1}}"#;
        assert!(found(&expected, false, body).is_empty());
        let paths: Vec<String> = found(&expected, true, body)
            .into_iter()
            .map(|(p, _, _)| p)
            .collect();
        assert_eq!(paths, ["$.v.new", "$.extra"]);
    }

    #[test]
    fn a_subset_match_allows_extra_fields_and_any_key_order_but_not_a_number_for_a_string() {
        // expected: { status: "fail", code: "1812" }
        let field = |key: &str, value: &str| Field {
            key: key.into(),
            at: 0..1,
            value: JsonTemplate::String(Template::literal(value)),
        };
        let expected = Located {
            at: 0..1,
            value: Arc::new(JsonTemplate::Object(vec![
                field("status", "fail"),
                field("code", "1812"),
            ])),
        };
        // Extra fields and another key order pass a subset match.
        let ok = Response::new(
            401,
            vec![],
            br#"{"message":"Invalid HMAC signature","code":"1812","status":"fail"}"#.to_vec(),
        );
        assert!(check(&expected, false, &ok, &Env::new("")).is_empty());
        let wrong = Response::new(401, vec![], br#"{"status":"fail","code":1812}"#.to_vec());
        let found = check(&expected, false, &wrong, &Env::new(""));
        assert_eq!(
            (
                found[0].path.as_str(),
                found[0].expected.as_str(),
                found[0].actual.as_str()
            ),
            ("$.code", "\"1812\"", "1812")
        );
    }
}
