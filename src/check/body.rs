//! `expect.body`: the expected body, matched as a subset (default) or exactly.
//! Key order never matters; array order does. Strings may use variables,
//! including fields of the same response (`${response.verification.host}`),
//! and matchers (`{$regex: ...}`, `{$type: ...}`).

use serde_json::Value;

use super::{CheckKind, Mismatch, excerpt};
use crate::exec::env::{Env, push_index, push_key};
use crate::exec::exchange::Response;
use crate::spec::model::{JsonTemplate, JsonType, Located, Matcher};

struct Walk<'a> {
    env: &'a Env,
    response: &'a Value,
    exact: bool,
    at: std::ops::Range<usize>,
    out: Vec<Mismatch>,
}

fn show(value: &Value) -> String {
    excerpt(&value.to_string(), 200)
}

/// Every body mismatch, each with its JSON path.
///
/// ```
/// use serde_json::json;
/// use veriff_conformance::check::body::check;
/// use veriff_conformance::exec::{env::Env, exchange::Response};
/// use veriff_conformance::spec::model::{Field, JsonTemplate, Located};
/// use veriff_conformance::spec::template::Template;
///
/// // expected: { status: "fail", code: "1812" }
/// let field = |key: &str, value: &str| Field { key: key.into(), at: 0..1, value: JsonTemplate::String(Template::literal(value)) };
/// let expected = Located { at: 0..1, value: JsonTemplate::Object(vec![field("status", "fail"), field("code", "1812")]) };
/// // Extra fields and another key order pass a subset match.
/// let ok = Response::new(401, vec![], br#"{"message":"Invalid HMAC signature","code":"1812","status":"fail"}"#.to_vec());
/// assert!(check(&expected, false, &ok, &Env::new("")).is_empty());
/// let wrong = Response::new(401, vec![], br#"{"status":"fail","code":1812}"#.to_vec());
/// let found = check(&expected, false, &wrong, &Env::new(""));
/// assert_eq!((found[0].path.as_str(), found[0].expected.as_str(), found[0].actual.as_str()), ("$.code", "\"1812\"", "1812"));
/// ```
pub fn check(
    expected: &Located<JsonTemplate>,
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
                actual: format!(
                    "{why}: {:?}",
                    excerpt(&String::from_utf8_lossy(&response.body), 120)
                ),
                at: expected.at.clone(),
            }];
        }
    };
    let mut walk = Walk {
        env,
        response: body,
        exact,
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
    fn push(&mut self, path: &str, expected: String, actual: String) {
        self.out.push(Mismatch {
            check: CheckKind::Body,
            path: path.to_string(),
            expected,
            actual,
            at: self.at.clone(),
        });
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
                    if !same_scalar(&want, actual) && want != *actual {
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
                match (regex::Regex::new(&pattern), actual) {
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
            JsonTemplate::Array(items) => {
                let Value::Array(got) = actual else {
                    return self.push(
                        path,
                        format!("an array of {} items", items.len()),
                        show(actual),
                    );
                };
                if got.len() != items.len() {
                    self.push(
                        path,
                        format!("an array of {} items", items.len()),
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
                        Some(have) => self.compare_at(&field.at, want, have, path),
                        None => {
                            let outer = std::mem::replace(&mut self.at, field.at.clone());
                            let shown = match want {
                                JsonTemplate::Scalar(v) => show(v),
                                JsonTemplate::String(t) => {
                                    match self.env.render_value(t, Some(self.response)) {
                                        Ok(v) => show(&v),
                                        Err(_) => "a value".into(),
                                    }
                                }
                                _ => "a value".into(),
                            };
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
