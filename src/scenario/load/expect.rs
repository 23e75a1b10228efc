//! `expect:`: status, header rules, schema, body and signature expectations.

use std::path::Path;

use crate::scenario::raw::Json;

use super::cx::{FileCx, in_order};
use super::header_names::header_name;
use super::json::json_body;
use super::schema_files::Schemas;
use super::scope::Scope;
use crate::scenario::model::{
    Expect, HeaderExpect, HeaderRule, Located, SignatureExpect, StatusExpect,
};
use crate::scenario::raw;
use crate::scenario::source::normalize;

/// Builds a step's expectations; `scope` allows `${response...}`. Its `warn:`
/// block is built the same way, its signature rule `ignore` unless written
/// (the step's own rule already checks the signature); a `warn` inside it is
/// a spec error. Where a `warn:` has no place (`retry.until`, an
/// `expect_group` entry), the caller refuses it ([`refuse_warn`]).
pub(super) fn expect(
    cx: &mut FileCx<'_>,
    schemas: &Schemas,
    raw: &raw::Expect,
    scope: &Scope,
) -> Expect {
    let mut expect = expect_block(cx, schemas, raw, scope);
    if let Some(warn) = &raw.warn {
        let mut inner = expect_block(cx, schemas, &warn.value, scope);
        if warn.value.signature.is_none() {
            inner.signature.value = SignatureExpect::Ignore;
        }
        if let Some(nested) = &warn.value.warn {
            let at = cx.range(&nested.referenced);
            cx.error(
                at,
                "a `warn` block inside a `warn` block",
                "here",
                "everything in `warn:` already gives a warning: move this up into it",
            );
        }
        expect.warn = Some(Box::new(inner));
    }
    expect
}

/// A spec error for a `warn:` written where it has no place (`what`).
pub(super) fn refuse_warn(cx: &mut FileCx<'_>, raw: &raw::Expect, what: &str) {
    if let Some(warn) = &raw.warn {
        let at = cx.range(&warn.referenced);
        cx.error(
            at,
            format!("`warn` has no place in {what}"),
            "here",
            "write it in the step's `expect:`, where its unmet parts become warnings",
        );
    }
}

fn expect_block(
    cx: &mut FileCx<'_>,
    schemas: &Schemas,
    raw: &raw::Expect,
    scope: &Scope,
) -> Expect {
    let mut expect = Expect {
        headers: Vec::with_capacity(raw.headers.len()),
        ..Expect::default()
    };
    if let Some(status) = &raw.status {
        let at = cx.range(&status.referenced);
        match status_expect(&status.value) {
            Some(s) => expect.status = Some(Located { value: s, at }),
            None => cx.error(
                at,
                "not a status expectation",
                "here",
                "write a code from 100 to 599 (`404`), a class (`4xx`), a list of codes (`[200, 201]`), or `{ not: ... }` with one of those (`{ not: 2xx }`)",
            ),
        }
    }
    header_rules(cx, raw, scope, &mut expect);
    if let Some(schema) = &raw.schema {
        let at = cx.range(&schema.referenced);
        let base = cx.file.path.parent().unwrap_or(Path::new(""));
        let path = normalize(&base.join(&schema.value));
        match schemas.get(&path) {
            Ok(compiled) => {
                expect.schema = Some(Located {
                    value: compiled,
                    at,
                })
            }
            Err(message) => cx.error(
                at,
                message,
                "this schema",
                "the path is relative to the spec file's folder",
            ),
        }
    }
    if let Some(body) = &raw.body {
        let at = cx.range(&body.referenced);
        expect.body = Some(json_body(cx, &body.value, at, scope, true));
    }
    if let Some(mode) = &raw.body_match {
        match mode.value.as_str() {
            "subset" => expect.body_exact = false,
            "exact" => expect.body_exact = true,
            other => {
                let at = cx.range(&mode.referenced);
                cx.error(
                    at,
                    format!("unknown body_match `{other}`"),
                    "here",
                    "write `subset` (the default) or `exact`",
                );
            }
        }
    }
    if let Some(encoded) = &raw.body_base64 {
        let at = cx.range(&encoded.referenced);
        // A data URI (`data:image/jpeg;base64,...`) as uploaded, or bare base64.
        let text = encoded.value.trim();
        let text = match text.strip_prefix("data:") {
            Some(rest) => rest.split_once(',').map_or(rest, |(_, data)| data),
            None => text,
        };
        let text: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        use base64::Engine as _;
        match base64::engine::general_purpose::STANDARD.decode(&text) {
            Ok(bytes) => expect.body_bytes = Some(Box::new(Located { value: bytes, at })),
            Err(e) => cx.error(
                at,
                format!("`body_base64` is not base64: {e}"),
                "here",
                "write the expected bytes as base64, or as a data URI (`data:image/jpeg;base64,...`)",
            ),
        }
    }
    if let Some(sig) = &raw.signature {
        let at = cx.range(&sig.referenced);
        let value = match sig.value.as_str() {
            "if-present" => Some(SignatureExpect::IfPresent),
            "required" => Some(SignatureExpect::Required),
            "ignore" => Some(SignatureExpect::Ignore),
            _ => None,
        };
        match value {
            Some(v) => expect.signature = Located { value: v, at },
            None => cx.error(
                at,
                format!("unknown signature rule `{}`", sig.value),
                "here",
                "write `if-present` (the default), `required` or `ignore`",
            ),
        }
    }
    expect
}

/// `404`, `"404"`, `4xx`, `[200, 201]`, or `{ not: <one of those> }`.
fn status_expect(value: &Json) -> Option<StatusExpect> {
    let code = |v: &Json| {
        v.as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| (100..=599).contains(n))
    };
    match value {
        Json::Number(_) => code(value).map(|c| StatusExpect::AnyOf(vec![c])),
        Json::String(s) => {
            let b = s.as_bytes();
            if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && s[1..].eq_ignore_ascii_case("xx") {
                Some(StatusExpect::Class(u16::from(b[0] - b'0')))
            } else {
                s.parse::<u64>()
                    .ok()
                    .map(|n| Json::Number(n.into()))
                    .as_ref()
                    .and_then(code)
                    .map(|c| StatusExpect::AnyOf(vec![c]))
            }
        }
        Json::Array(items) if !items.is_empty() => items
            .iter()
            .map(code)
            .collect::<Option<Vec<_>>>()
            .map(StatusExpect::AnyOf),
        Json::Object(map) => match map.as_slice() {
            [(key, inner)] if key == "not" && !matches!(inner, Json::Object(_)) => {
                status_expect(inner).map(|s| StatusExpect::Not(Box::new(s)))
            }
            _ => None,
        },
        _ => None,
    }
}

fn header_rules(cx: &mut FileCx<'_>, raw: &raw::Expect, scope: &Scope, expect: &mut Expect) {
    const HELP: &str = "write a value to compare, or one of `{ present: true }`, `{ absent: true }`, `{ equals: <value> }`, `{ matches: <regex> }`";
    // Unlike request headers, one header may have several rules here, written
    // in different cases (YAML keys must differ): each rule is checked.
    for (name, rule) in in_order(raw.headers.clone()) {
        let at = cx.range(&rule.referenced);
        let name_at = cx.range(&name.referenced);
        let Some(lower) = header_name(cx, &name.value, name_at.clone()) else {
            continue;
        };
        let parsed = match &rule.value {
            Json::String(s) => scope
                .parse_template(cx, s, at.clone())
                .map(|t| HeaderRule::Equals(t.value)),
            Json::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((k, Json::Bool(true))) if k == "present" => Some(HeaderRule::Present),
                Some((k, Json::Bool(false))) if k == "present" => Some(HeaderRule::Absent),
                Some((k, Json::Bool(true))) if k == "absent" => Some(HeaderRule::Absent),
                Some((k, Json::Bool(false))) if k == "absent" => Some(HeaderRule::Present),
                Some((k, Json::String(s))) if k == "equals" => scope
                    .parse_template(cx, s, at.clone())
                    .map(|t| HeaderRule::Equals(t.value)),
                Some((k, Json::String(s))) if k == "matches" => {
                    match crate::patterns::compiled(s) {
                        Ok(re) => Some(HeaderRule::Matches(re)),
                        Err(e) => {
                            cx.error(
                                at.clone(),
                                "invalid regular expression",
                                "here",
                                &e.to_string(),
                            );
                            continue;
                        }
                    }
                }
                _ => None,
            },
            _ => None,
        };
        match parsed {
            Some(rule) => expect.headers.push(Located {
                value: HeaderExpect { name: lower, rule },
                at,
            }),
            None => cx.error(
                at,
                format!("not a rule for header `{}`", name.value),
                "here",
                HELP,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(yaml: &str) -> Option<StatusExpect> {
        let value: Json = serde_saphyr::from_str(yaml).expect("YAML");
        status_expect(&value)
    }

    #[test]
    fn not_takes_a_code_a_class_or_a_list_and_nothing_nested() {
        let not_2xx = status("{ not: 2xx }").unwrap();
        assert_eq!(not_2xx, StatusExpect::Not(Box::new(StatusExpect::Class(2))));
        assert!(not_2xx.accepts(401) && not_2xx.accepts(500) && !not_2xx.accepts(204));
        assert_eq!(not_2xx.to_string(), "not 2xx");
        assert_eq!(
            status("{ not: [200, 204] }").unwrap().to_string(),
            "not 200 or 204"
        );
        assert_eq!(status("{ not: { not: 2xx } }"), None);
        assert_eq!(status("{ not: 2xx, also: 1 }"), None);
        assert_eq!(status("{ is: 2xx }"), None);
    }
}
