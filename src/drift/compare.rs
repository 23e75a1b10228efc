//! Comparing a run's normalised exchanges with the baseline, and classifying
//! each difference by Veriff's "Backwards compatible changes" rules
//! (docs/veriff-api.md, section 8).
//!
//! Compatible (Veriff may do it without notice):
//! - a new response field, or a new array item;
//! - other field order (never seen: objects are compared as maps);
//! - a new response header (shown with the value this run saw, normalised);
//!   a header that is not documented removed, or its recorded value changed;
//! - an opaque string (ids, tokens, messages) of another length or format,
//!   see [`is_opaque`];
//! - a body that is not JSON changing.
//!
//! Breaking:
//! - a field removed, or an array item;
//! - a value of another JSON type (a body that stops being JSON too);
//! - another status code;
//! - a changed value that is not opaque: `status`, `code`, enum values such
//!   as `verification.status`, numbers and booleans;
//! - a documented header removed ([`DOCUMENTED_HEADERS`]), or `content-type` changed.
//!
//! Changes of the spec itself, not of the API, are compatible and say so:
//! a step whose method or path template is not the recorded one is not
//! compared ("request changed"); a new step is "step added"; a recorded step
//! that did not run although the scenario passed is "step gone".

use serde_json::Value;

use super::Ran;
use super::baseline::{ScenarioBaseline, StepBaseline};
use super::findings::{Change, ChangeKind, DriftClass, StepDrift};
use super::normalize::PLACEHOLDERS;
use super::snapshot::NOT_RECORDED;
use crate::jsonpath::{push_index, push_key};
use crate::record::exchange::StepInfo;
use crate::scenario::model::Scenario;

/// Headers the docs promise (docs/veriff-api.md, section 2.4 and "Responses are JSON"):
/// removing one is breaking.
pub const DOCUMENTED_HEADERS: &[&str] = &["content-type", "x-auth-client", "x-hmac-signature"];

/// Fields whose value is never opaque, whatever it looks like.
pub const NON_OPAQUE_KEYS: &[&str] = &["status", "code"];

/// Fields whose string value is opaque: ids, tokens, URLs, messages, echoed input.
pub const OPAQUE_KEYS: &[&str] = &[
    "id",
    "message",
    "sessionToken",
    "url",
    "host",
    "vendorData",
    "endUserId",
    "reason",
];

const ABSENT: &str = "absent";

/// Whether a string field is opaque (stored and forwarded, never
/// interpreted): its key is in [`OPAQUE_KEYS`], or its recorded value holds
/// a normalisation placeholder (an id, a token, a timestamp) or whitespace
/// (a message for people). `status`, `code` and other values with neither,
/// such as enum values (`submitted`), are not.
pub fn is_opaque(key: Option<&str>, before: &str) -> bool {
    match key {
        Some(k) if NON_OPAQUE_KEYS.contains(&k) => false,
        Some(k) if OPAQUE_KEYS.contains(&k) => true,
        _ => {
            PLACEHOLDERS.iter().any(|p| before.contains(p))
                || before.chars().any(char::is_whitespace)
        }
    }
}

/// The changes between `baseline` and `now` (this run of `scenario`,
/// recorded with the baseline's normalisation), step by step.
pub fn compare(
    baseline: &ScenarioBaseline,
    now: &ScenarioBaseline,
    scenario: &Scenario,
    ran: &Ran<'_>,
) -> Vec<StepDrift> {
    let mut out = Vec::new();
    let count = baseline.steps.len().max(now.steps.len());
    let passed = ran.passed;
    for i in 0..count {
        let info = step_info(i, scenario, ran, baseline);
        let (before, after) = (baseline.steps.get(i), now.steps.get(i));
        let request = after.or(before).map(request_line).unwrap_or_default();
        let changes = match (before, after) {
            (Some(b), Some(a)) if request_line(a) != request_line(b) => vec![Change {
                class: DriftClass::Compatible,
                kind: ChangeKind::RequestChanged,
                path: "request".into(),
                before: request_line(b),
                after: request_line(a),
            }],
            (Some(b), Some(a)) => step_changes(b, a),
            (None, Some(a)) => vec![Change {
                class: DriftClass::Compatible,
                kind: ChangeKind::StepAdded,
                path: "step".into(),
                before: ABSENT.into(),
                after: request_line(a),
            }],
            // A step the scenario did not reach because it failed is the
            // failure's business, not drift.
            (Some(b), None) if passed => vec![Change {
                class: DriftClass::Compatible,
                kind: ChangeKind::StepGone,
                path: "step".into(),
                before: request_line(b),
                after: ABSENT.into(),
            }],
            _ => Vec::new(),
        };
        if !changes.is_empty() {
            out.push(StepDrift {
                step: info,
                request,
                changes,
            });
        }
    }
    out
}

fn request_line(s: &StepBaseline) -> String {
    format!("{} {}", s.method, s.path)
}

/// The step's place: from the run when it ran, else from the spec, else
/// from the baseline (a step no longer in the spec has no place).
fn step_info(i: usize, scenario: &Scenario, ran: &Ran<'_>, b: &ScenarioBaseline) -> StepInfo {
    if let Some((info, _)) = ran.steps.iter().find(|(s, _)| s.number == i + 1) {
        return (*info).clone();
    }
    if let Some(s) = scenario.steps.get(i) {
        return StepInfo {
            number: i + 1,
            name: s.name.clone(),
            at: s.at.clone(),
        };
    }
    StepInfo {
        number: i + 1,
        name: b.steps.get(i).map(|s| s.name.clone()).unwrap_or_default(),
        at: scenario.at.clone(),
    }
}

/// Status, then headers, then body.
fn step_changes(before: &StepBaseline, after: &StepBaseline) -> Vec<Change> {
    let mut out = Vec::new();
    if before.status != after.status {
        out.push(Change {
            class: DriftClass::Breaking,
            kind: ChangeKind::StatusChanged,
            path: "status".into(),
            before: before.status.to_string(),
            after: after.status.to_string(),
        });
    }
    for (name, value) in &before.headers {
        match after.headers.get(name) {
            None => out.push(Change {
                class: if DOCUMENTED_HEADERS.contains(&name.as_str()) {
                    DriftClass::Breaking
                } else {
                    DriftClass::Compatible
                },
                kind: ChangeKind::HeaderRemoved,
                path: name.clone(),
                before: value.clone(),
                after: ABSENT.into(),
            }),
            // A value the baseline does not record is compared by name only.
            Some(now) if now != value && value != NOT_RECORDED => out.push(Change {
                class: if name == "content-type" {
                    DriftClass::Breaking
                } else {
                    DriftClass::Compatible
                },
                kind: ChangeKind::HeaderChanged,
                path: name.clone(),
                before: value.clone(),
                after: now.clone(),
            }),
            Some(_) => {}
        }
    }
    for (name, value) in &after.headers {
        if !before.headers.contains_key(name) {
            out.push(Change {
                class: DriftClass::Compatible,
                kind: ChangeKind::HeaderAdded,
                path: name.clone(),
                before: ABSENT.into(),
                after: value.clone(),
            });
        }
    }
    body_changes(before, after, &mut out);
    out
}

fn shown_body(s: &StepBaseline) -> String {
    match (&s.body, &s.body_text) {
        (Some(v), _) => v.to_string(),
        (None, Some(t)) => Value::String(t.clone()).to_string(),
        (None, None) => "empty".into(),
    }
}

fn body_changes(before: &StepBaseline, after: &StepBaseline, out: &mut Vec<Change>) {
    match (&before.body, &after.body) {
        (Some(b), Some(a)) => value_changes("$".into(), None, b, a, out),
        (None, None) => {
            if before.body_text != after.body_text {
                let kind = if before.body_text.is_some() && after.body_text.is_some() {
                    ChangeKind::TextChanged
                } else {
                    ChangeKind::TypeChanged
                };
                out.push(Change {
                    class: if kind == ChangeKind::TextChanged {
                        DriftClass::Compatible
                    } else {
                        DriftClass::Breaking
                    },
                    kind,
                    path: "$".into(),
                    before: shown_body(before),
                    after: shown_body(after),
                });
            }
        }
        _ => out.push(Change {
            class: DriftClass::Breaking,
            kind: ChangeKind::TypeChanged,
            path: "$".into(),
            before: shown_body(before),
            after: shown_body(after),
        }),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn value_changes(
    path: String,
    key: Option<&str>,
    before: &Value,
    after: &Value,
    out: &mut Vec<Change>,
) {
    let change = |class, kind, path: String, before: String, after: String| Change {
        class,
        kind,
        path,
        before,
        after,
    };
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut keys: Vec<&String> = b
                .keys()
                .chain(a.keys().filter(|k| !b.contains_key(*k)))
                .collect();
            keys.sort();
            for k in keys {
                let mut p = path.clone();
                push_key(&mut p, k);
                match (b.get(k), a.get(k)) {
                    (Some(bv), Some(av)) => value_changes(p, Some(k), bv, av, out),
                    (Some(bv), None) => out.push(change(
                        DriftClass::Breaking,
                        ChangeKind::FieldRemoved,
                        p,
                        bv.to_string(),
                        ABSENT.into(),
                    )),
                    (None, Some(av)) => out.push(change(
                        DriftClass::Compatible,
                        ChangeKind::FieldAdded,
                        p,
                        ABSENT.into(),
                        av.to_string(),
                    )),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for i in 0..b.len().max(a.len()) {
                let mut p = path.clone();
                push_index(&mut p, i);
                match (b.get(i), a.get(i)) {
                    (Some(bv), Some(av)) => value_changes(p, key, bv, av, out),
                    (Some(bv), None) => out.push(change(
                        DriftClass::Breaking,
                        ChangeKind::ItemRemoved,
                        p,
                        bv.to_string(),
                        ABSENT.into(),
                    )),
                    (None, Some(av)) => out.push(change(
                        DriftClass::Compatible,
                        ChangeKind::ItemAdded,
                        p,
                        ABSENT.into(),
                        av.to_string(),
                    )),
                    (None, None) => {}
                }
            }
        }
        _ if before == after => {}
        _ if type_name(before) != type_name(after) => out.push(change(
            DriftClass::Breaking,
            ChangeKind::TypeChanged,
            path,
            before.to_string(),
            after.to_string(),
        )),
        (Value::String(b), Value::String(_)) if is_opaque(key, b) => out.push(change(
            DriftClass::Compatible,
            ChangeKind::OpaqueChanged,
            path,
            before.to_string(),
            after.to_string(),
        )),
        _ => out.push(change(
            DriftClass::Breaking,
            ChangeKind::ValueChanged,
            path,
            before.to_string(),
            after.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(before: Value, after: Value) -> Vec<(DriftClass, ChangeKind, String)> {
        let mut out = Vec::new();
        value_changes("$".into(), None, &before, &after, &mut out);
        out.into_iter().map(|c| (c.class, c.kind, c.path)).collect()
    }

    use ChangeKind::*;
    use DriftClass::*;

    #[test]
    fn other_key_order_is_no_change() {
        let a: Value = serde_json::from_str(r#"{"a":1,"b":{"c":2,"d":3}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b":{"d":3,"c":2},"a":1}"#).unwrap();
        assert_eq!(diff(a, b), []);
    }

    #[test]
    fn each_kind_of_body_change_is_classified_by_veriffs_rules() {
        assert_eq!(
            diff(json!({"a":1}), json!({"a":1,"n":"x"})),
            [(Compatible, FieldAdded, "$.n".into())]
        );
        assert_eq!(
            diff(json!({"a":1,"g":2}), json!({"a":1})),
            [(Breaking, FieldRemoved, "$.g".into())]
        );
        assert_eq!(
            diff(json!({"code":"1101"}), json!({"code":1101})),
            [(Breaking, TypeChanged, "$.code".into())]
        );
        assert_eq!(
            diff(json!({"code":"1101"}), json!({"code":"1102"})),
            [(Breaking, ValueChanged, "$.code".into())]
        );
        assert_eq!(
            diff(
                json!({"verification":{"status":"submitted"}}),
                json!({"verification":{"status":"approved"}})
            ),
            [(Breaking, ValueChanged, "$.verification.status".into())]
        );
        assert_eq!(
            diff(
                json!({"message":"Validation failed"}),
                json!({"message":"Invalid"})
            ),
            [(Compatible, OpaqueChanged, "$.message".into())]
        );
        assert_eq!(
            diff(json!({"t":"<hex>"}), json!({"t":"abc"})),
            [(Compatible, OpaqueChanged, "$.t".into())]
        );
        assert_eq!(
            diff(json!([1]), json!([1, 2])),
            [(Compatible, ItemAdded, "$[1]".into())]
        );
        assert_eq!(
            diff(json!([1, 2]), json!([1])),
            [(Breaking, ItemRemoved, "$[1]".into())]
        );
        assert_eq!(
            diff(json!({"n": null}), json!({"n": "x"})),
            [(Breaking, TypeChanged, "$.n".into())]
        );
    }

    #[test]
    fn messages_and_placeholders_are_opaque_but_statuses_codes_and_decisions_are_not() {
        assert!(is_opaque(Some("message"), "Validation failed"));
        assert!(is_opaque(Some("token"), "<hex>"));
        assert!(!is_opaque(Some("status"), "submitted"));
        assert!(!is_opaque(Some("code"), "1101"));
        assert!(!is_opaque(Some("decision"), "approved"));
    }
}
