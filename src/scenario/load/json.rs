//! JSON written as YAML, in request bodies and expected bodies: strings become
//! templates, and in expectations `{ $regex: ... }`, `{ $type: ... }` and
//! `{ $one_of: [...] }` become matchers.

use std::hash::{DefaultHasher, Hasher};
use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use crate::scenario::raw::Json;

use super::cx::{FileCx, list};
use super::scope::Scope;
use crate::scenario::model::{Field, JsonTemplate, JsonType, Located, Matcher};

/// Builds the template of a whole body written at `at` (see [`json`]), with
/// its fields located from `at.start`, and shares the tree of an identical
/// body built before in the same file.
pub(super) fn json_body(
    cx: &mut FileCx<'_>,
    value: &Json,
    at: Range<usize>,
    scope: &Scope,
    matchers: bool,
) -> Located<Arc<JsonTemplate>> {
    let mut tree = json(cx, value, at.clone(), scope, matchers);
    relative_to(&mut tree, at.start);
    let mut hasher = DefaultHasher::new();
    // The tree's debug text names every part of it, positions included.
    let _ = std::fmt::write(&mut HashWriter(&mut hasher), format_args!("{tree:?}"));
    let same = cx.bodies.entry(hasher.finish()).or_default();
    let value = match same.iter().find(|t| ***t == tree) {
        Some(shared) => Arc::clone(shared),
        None => {
            let built = Arc::new(tree);
            same.push(Arc::clone(&built));
            built
        }
    };
    Located { value, at }
}

/// Feeds formatted text to a hasher.
struct HashWriter<'a>(&'a mut DefaultHasher);

impl std::fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// Makes every field's range start from `base` (the body's start).
fn relative_to(tree: &mut JsonTemplate, base: usize) {
    match tree {
        JsonTemplate::Array(items) => items.iter_mut().for_each(|i| relative_to(i, base)),
        JsonTemplate::Object(fields) => {
            for field in fields {
                field.at = field.at.start.saturating_sub(base)..field.at.end.saturating_sub(base);
                relative_to(&mut field.value, base);
            }
        }
        JsonTemplate::Matcher(Matcher::OneOf(items)) => {
            items.iter_mut().for_each(|i| relative_to(i, base))
        }
        JsonTemplate::Scalar(_) | JsonTemplate::String(_) | JsonTemplate::Matcher(_) => {}
    }
}

/// Builds the template of `value`, written at `at`; `matchers` says whether
/// matcher objects are allowed (expectations) or refused (requests).
fn json(
    cx: &mut FileCx<'_>,
    value: &Json,
    at: Range<usize>,
    scope: &Scope,
    matchers: bool,
) -> JsonTemplate {
    match value {
        Json::String(s) => match scope.parse_template(cx, s, at) {
            Some(t) => JsonTemplate::String(t.value),
            None => JsonTemplate::Scalar(Box::new(Value::Null)),
        },
        Json::Array(items) => JsonTemplate::Array(
            items
                .iter()
                .map(|v| json(cx, v, at.clone(), scope, matchers))
                .collect(),
        ),
        Json::Object(map) => {
            if let Some((key, _)) = map.iter().find(|(k, _)| k.starts_with('$')) {
                return matcher(cx, map, key, at, scope, matchers);
            }
            let mut fields = Vec::with_capacity(map.len());
            let mut from = at.start;
            for (key, value) in map {
                // Keys are found in the order written, each after the previous one.
                let key_at = cx.find_key(from, key, at.clone());
                from = key_at.end.max(from);
                let value = json(cx, value, key_at.start..at.end, scope, matchers);
                fields.push(Field {
                    key: key.clone(),
                    at: key_at,
                    value,
                });
            }
            JsonTemplate::Object(fields)
        }
        Json::Null => JsonTemplate::Scalar(Box::new(Value::Null)),
        Json::Bool(b) => JsonTemplate::Scalar(Box::new(Value::Bool(*b))),
        Json::Number(n) => JsonTemplate::Scalar(Box::new(Value::Number(n.clone()))),
    }
}

/// An object with a `$` key: a matcher, or an error.
fn matcher(
    cx: &mut FileCx<'_>,
    map: &[(String, Json)],
    key: &str,
    at: Range<usize>,
    scope: &Scope,
    matchers: bool,
) -> JsonTemplate {
    let key_at = cx.find(at.start, key, at.clone());
    if !matchers {
        cx.error(
            key_at,
            format!("`{key}` looks like a matcher, which only expectations can use"),
            "here",
            "remove it, or quote a key that really starts with `$` in the expected body instead",
        );
        return JsonTemplate::Scalar(Box::new(Value::Null));
    }
    if map.len() != 1 {
        cx.error(
            key_at,
            format!("a matcher object has one key, but `{key}` has company"),
            "here",
            "write the matcher alone: `{ $regex: ... }`, `{ $type: ... }` or `{ $one_of: [...] }`",
        );
        return JsonTemplate::Scalar(Box::new(Value::Null));
    }
    // The first `$` key; the entries are in the order written.
    let value = map
        .iter()
        .find(|(k, _)| k == key)
        .map_or(&Json::Null, |(_, v)| v);
    match (key, value) {
        ("$regex", Json::String(s)) => match scope.parse_template(cx, s, at.clone()) {
            Some(t) => {
                if let Some(lit) = t.value.as_literal()
                    && let Err(e) = crate::patterns::compiled(lit)
                {
                    cx.error(key_at, "invalid regular expression", "here", &e.to_string());
                }
                JsonTemplate::Matcher(Matcher::Regex(t.value))
            }
            None => JsonTemplate::Scalar(Box::new(Value::Null)),
        },
        ("$type", Json::String(s)) => match JsonType::parse(s) {
            Some(t) => JsonTemplate::Matcher(Matcher::Type(t)),
            None => {
                cx.error(
                    key_at,
                    format!("unknown JSON type `{s}`"),
                    "here",
                    &format!(
                        "types are {}",
                        list(JsonType::NAMES.iter().map(|s| s.to_string()))
                    ),
                );
                JsonTemplate::Scalar(Box::new(Value::Null))
            }
        },
        ("$one_of", Json::Array(items)) if !items.is_empty() => {
            JsonTemplate::Matcher(Matcher::OneOf(
                items
                    .iter()
                    .map(|item| json(cx, item, at.clone(), scope, true))
                    .collect(),
            ))
        }
        ("$one_of", _) => {
            cx.error(
                key_at,
                "`$one_of` takes a list of the values accepted",
                "here",
                "write `{ $one_of: [\"1101\", \"1801\"] }`: one or more expected values, each matched as the body is",
            );
            JsonTemplate::Scalar(Box::new(Value::Null))
        }
        _ => {
            cx.error(
                key_at,
                format!("unknown matcher `{key}`"),
                "here",
                "matchers are `{ $regex: <pattern> }` and `{ $type: <json type> }`, each with a string argument, and `{ $one_of: [<value>, ...] }`",
            );
            JsonTemplate::Scalar(Box::new(Value::Null))
        }
    }
}
