//! Snapshots: a scenario's run turned into its normalised
//! [`ScenarioBaseline`], the form both written by `--record-baseline` and
//! compared by `--baseline`.
//!
//! - Per step: the method, the path as written in the spec (a template), the
//!   status, the response headers and the body, normalised ([`super::normalize`]).
//! - Transport headers ([`TRANSPORT_HEADERS`]) are left out: they are not
//!   part of the contract.
//! - A header's value is kept only where it is stable ([`VALUE_HEADERS`]);
//!   other headers are kept by name, as `<not recorded>`.
//! - The API key is never written: Veriff echoes it in `x-auth-client`, whose
//!   value is always recorded as `<api-key>` ([`SECRET_HEADERS`]). The
//!   exchanges are masked already, and the file's text is masked again.
//!
//! The scenario's variables and captures are not part of a result, so they
//! are found again from what was exchanged: each `${name}` of a step's path,
//! headers and JSON body is matched with what was sent (of a webhook step's
//! session, with the session the webhook was for), and each capture is read
//! again from the (masked) response.
//!
//! A webhook step is recorded like any step: its method is `WEBHOOK`, its
//! path the webhook's type, its status 200 and its headers and body the
//! webhook's, by the same rules (`x-auth-client` never with its value,
//! `x-hmac-signature` as `<hex>`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Ran;
use super::baseline::{FORMAT, ScenarioBaseline, StepBaseline};
use super::normalize::Normalizer;
use crate::check::capture::capture;
use crate::inbox::kind::WebhookKind;
use crate::record::exchange::Exchange;
use crate::record::exchange::StepInfo;
use crate::scenario::model::{JsonTemplate, RequestBody, Scenario, Step};
use crate::scenario::template::{Part, Template, VarKind};

/// Headers about the connection or the framing, not the API: never recorded.
pub const TRANSPORT_HEADERS: &[&str] = &[
    "date",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
];

/// Headers whose value holds a secret (Veriff echoes the API key): recorded
/// as `<api-key>`, never with their value.
pub const SECRET_HEADERS: &[&str] = &["x-auth-client", "vrf-auth-client"];

/// Headers whose (normalised) value is stable and recorded. Any other
/// header is recorded by name only.
pub const VALUE_HEADERS: &[&str] = &[
    "content-type",
    "content-encoding",
    "x-hmac-signature",
    "vrf-hmac-signature",
];

/// The value recorded for a header in [`SECRET_HEADERS`].
pub const SECRET_VALUE: &str = "<api-key>";
/// The value recorded for a header whose value is not stable.
pub const NOT_RECORDED: &str = "<not recorded>";

/// The normalised baseline of `ran`, a run of `scenario` against
/// `base_url`, with the first `rules` normalisation rules.
pub fn record(
    scenario: &Scenario,
    ran: &Ran<'_>,
    base_url: &str,
    rules: usize,
) -> ScenarioBaseline {
    snapshot(scenario, ran, base_url, rules, false)
}

/// `ran` as it is compared with a baseline: [`record`], but with the
/// normalised value of every header that is neither a transport nor a secret
/// header, so that a header the baseline does not have shows the value this
/// run saw. Never written to a file; a header recorded as [`NOT_RECORDED`]
/// is compared by name only.
pub fn observe(
    scenario: &Scenario,
    ran: &Ran<'_>,
    base_url: &str,
    rules: usize,
) -> ScenarioBaseline {
    snapshot(scenario, ran, base_url, rules, true)
}

fn snapshot(
    scenario: &Scenario,
    ran: &Ran<'_>,
    base_url: &str,
    rules: usize,
    every_value: bool,
) -> ScenarioBaseline {
    let normalizer = Normalizer::new(base_url, variables(scenario, ran));
    let steps = representatives(ran)
        .into_iter()
        .map(|(info, exchange)| {
            let spec = scenario.steps.get(info.number.wrapping_sub(1));
            let mut recorded = step(&normalizer, rules, info.number, &info.name, spec, exchange);
            if every_value {
                keep_every_value(&mut recorded, &normalizer, rules, exchange);
            }
            recorded
        })
        .collect();
    ScenarioBaseline {
        format: FORMAT,
        normalisation: rules,
        scenario: ran.name.to_string(),
        steps,
    }
}

/// One exchange per step, in step order. A `repeat:` group sends one step
/// several times and its answers arrive in no fixed order, so the group is
/// recorded by one answer: the one with the lowest status, then the shortest
/// and smallest body. The group's own expectations judge the rest.
pub fn representatives<'a>(ran: &Ran<'a>) -> Vec<(&'a StepInfo, &'a Exchange)> {
    let mut out: Vec<(&StepInfo, &Exchange)> = Vec::new();
    for &s in &ran.steps {
        match out.last_mut() {
            Some(last) if last.0.number == s.0.number => {
                let key = |(_, e): (&StepInfo, &Exchange)| {
                    let body = &e.response.body;
                    (e.response.status, body.len(), body.clone())
                };
                if key(s) < key(*last) {
                    *last = s;
                }
            }
            _ => out.push(s),
        }
    }
    out
}

fn step(
    n: &Normalizer,
    rules: usize,
    number: usize,
    name: &str,
    spec: Option<&Step>,
    exchange: &Exchange,
) -> StepBaseline {
    let response = &exchange.response;
    let mut headers = BTreeMap::new();
    for (name, value) in &response.headers {
        let name = name.to_ascii_lowercase();
        if TRANSPORT_HEADERS.contains(&name.as_str()) || headers.contains_key(&name) {
            continue;
        }
        let value = if SECRET_HEADERS.contains(&name.as_str()) {
            SECRET_VALUE.to_string()
        } else if VALUE_HEADERS.contains(&name.as_str()) {
            // Every value of a repeated header, as one.
            n.string(
                &response.header(&name).unwrap_or_else(|| value.clone()),
                rules,
            )
        } else {
            NOT_RECORDED.to_string()
        };
        headers.insert(name, value);
    }
    let (body, body_text) = match (&response.json, response.body.is_empty()) {
        (_, true) => (None, None),
        (Ok(json), false) => (Some(normalize_value(n, rules, json)), None),
        (Err(_), false) => (None, Some(body_text(n, rules, &response.body))),
    };
    StepBaseline {
        step: number,
        name: name.to_string(),
        method: exchange.request.method.as_str().to_string(),
        path: spec.map_or_else(
            || exchange.request.url.clone(),
            |s| template_text(&s.path.value),
        ),
        status: response.status,
        headers,
        body,
        body_text,
    }
}

/// Replaces each [`NOT_RECORDED`] value of `recorded` by the header's
/// normalised value in `exchange`.
fn keep_every_value(
    recorded: &mut StepBaseline,
    n: &Normalizer,
    rules: usize,
    exchange: &Exchange,
) {
    for (name, value) in &mut recorded.headers {
        if value == NOT_RECORDED
            && let Some(seen) = exchange.response.header(name)
        {
            *value = n.string(&seen, rules);
        }
    }
}

/// Longest text body kept as text in a baseline; a longer one, or bytes that
/// are not text (a downloaded medium), is kept as its length and SHA-256.
pub const MAX_TEXT_BODY: usize = 64 * 1024;

/// A body that is not JSON, as a baseline keeps it: normalised text, or
/// `<N bytes, sha256 HEX>` for binary or very long bodies, so that a baseline
/// file stays small, readable and valid UTF-8.
pub fn body_text(n: &Normalizer, rules: usize, body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if text.len() <= MAX_TEXT_BODY => n.string(text, rules),
        _ => {
            use sha2::Digest as _;
            format!(
                "<{} bytes, sha256 {}>",
                body.len(),
                hex::encode(sha2::Sha256::digest(body))
            )
        }
    }
}

/// Every string of `value` normalised; object keys as they are.
fn normalize_value(n: &Normalizer, rules: usize, value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(n.string(s, rules)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| normalize_value(n, rules, v)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalize_value(n, rules, v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A template as written: `/v1/sessions/${id}`.
pub fn template_text(t: &Template) -> String {
    t.parts()
        .iter()
        .map(|p| match p {
            Part::Literal(s) => s.replace("${", "$${"),
            Part::Variable(v) => format!("${{{}}}", v.name),
        })
        .collect()
}

/// The scenario's variables and captures as `(name, text)`, found again
/// from what the steps sent and received.
pub fn variables(scenario: &Scenario, ran: &Ran<'_>) -> Vec<(String, String)> {
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    let mut keep = |name: &str, value: &Value| {
        if let Value::String(s) = value {
            found.entry(name.to_string()).or_insert_with(|| s.clone());
        }
    };
    for &(info, exchange) in &ran.steps {
        let Some(step) = scenario.steps.get(info.number.wrapping_sub(1)) else {
            continue;
        };
        let request = &exchange.request;
        if let Some(awaited) = &step.webhook
            && let Ok(json) = &exchange.response.json
            && let (_, Some(session)) = WebhookKind::of(json)
        {
            // A webhook step sent nothing: its session is what it was for.
            for (name, value) in match_template(&awaited.session.value, &session, true) {
                keep(&name, &Value::String(value));
            }
        }
        for (name, value) in match_template(&step.path.value, &request.url, false) {
            keep(&name, &Value::String(value));
        }
        for (header, t) in &step.headers {
            if let Some((_, sent)) = request
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(header))
            {
                for (name, value) in match_template(&t.value, sent, true) {
                    keep(&name, &Value::String(value));
                }
            }
        }
        if let RequestBody::Json(t) = &step.body
            && let Ok(sent) = serde_json::from_slice::<Value>(&request.body)
        {
            let mut pairs = Vec::new();
            match_json(&t.value, &sent, &mut pairs);
            for (name, value) in pairs {
                keep(&name, &value);
            }
        }
        if let Ok(values) = capture(&step.captures, &exchange.response) {
            for (name, value) in values {
                keep(&name, &value);
            }
        }
    }
    found.into_iter().collect()
}

/// The named variables of `t` read from `text`, which `t` was filled in to
/// make; `anchored` when `text` is all of it (a path is the end of a URL,
/// so its first literal may come after the base URL). Each variable takes
/// the text up to the first place the next literal follows (the last takes
/// the rest); no regex is compiled, since this runs for every step.
fn match_template(t: &Template, text: &str, anchored: bool) -> Vec<(String, String)> {
    if t.variables().next().is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = text;
    let mut pending: Option<Option<&str>> = None; // a variable waiting for its end: Some(name) when named
    for (i, part) in t.parts().iter().enumerate() {
        match part {
            Part::Literal(lit) => {
                let at = match pending.take() {
                    Some(var) => {
                        let Some(at) = rest.find(lit.as_str()) else {
                            return Vec::new();
                        };
                        if let Some(name) = var {
                            out.push((name.to_string(), rest[..at].to_string()));
                        }
                        at
                    }
                    None if i == 0 && !anchored => match rest.find(lit.as_str()) {
                        Some(at) => at,
                        None => return Vec::new(),
                    },
                    None if rest.starts_with(lit.as_str()) => 0,
                    None => return Vec::new(),
                };
                rest = &rest[at + lit.len()..];
            }
            Part::Variable(v) => {
                // Two variables in a row: the first one's end cannot be told, so it is dropped.
                pending = Some(match v.kind() {
                    VarKind::Named(name) => Some(name),
                    _ => None,
                });
            }
        }
    }
    match pending {
        Some(Some(name)) => out.push((name.to_string(), rest.to_string())),
        Some(None) => {}
        None if !rest.is_empty() => return Vec::new(),
        None => {}
    }
    out
}

/// The named variables of a JSON body template read from the body sent.
fn match_json(t: &JsonTemplate, sent: &Value, out: &mut Vec<(String, Value)>) {
    match (t, sent) {
        (JsonTemplate::String(t), _) => {
            if let Some(v) = t.as_single_variable() {
                if let VarKind::Named(name) = v.kind() {
                    out.push((name.to_string(), sent.clone()));
                }
            } else if let Value::String(s) = sent {
                out.extend(
                    match_template(t, s, true)
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v))),
                );
            }
        }
        (JsonTemplate::Array(items), Value::Array(sent)) => {
            for (t, v) in items.iter().zip(sent) {
                match_json(t, v, out);
            }
        }
        (JsonTemplate::Object(fields), Value::Object(sent)) => {
            for f in fields {
                if let Some(v) = sent.get(&f.key) {
                    match_json(&f.value, v, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_read_back_from_a_filled_in_template() {
        let t = Template::parse("/v1/sessions/${id}/media").unwrap();
        assert_eq!(
            match_template(&t, "http://h:1/v1/sessions/abc-1/media", false),
            [("id".to_string(), "abc-1".to_string())]
        );
        let t = Template::parse("${run.base_url}/x/${a}-${b}").unwrap();
        assert_eq!(
            match_template(&t, "http://h/x/1-2", false),
            [
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "2".to_string())
            ]
        );
    }

    #[test]
    fn a_template_literal_dollar_brace_is_written_escaped() {
        let t = Template::parse("/a/$${x}/${id}").unwrap();
        assert_eq!(template_text(&t), "/a/$${x}/${id}");
    }

    #[test]
    fn a_text_body_is_kept_as_text_and_a_binary_one_as_its_length_and_hash() {
        let n = Normalizer::new("http://127.0.0.1:1", vec![]);
        assert_eq!(body_text(&n, 0, b"plain"), "plain");
        assert!(body_text(&n, 0, &[0xff, 0xd8, 0xff]).starts_with("<3 bytes, sha256 "));
    }
}
