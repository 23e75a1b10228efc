//! One step: method, path, request headers and body, signing, expectations
//! and captures.

use std::ops::Range;

use crate::scenario::raw::Json;

use super::cx::{FileCx, in_order, list};
use super::expect::expect;
use super::header_names::{SeenHeaders, header_name};
use super::json::json_body;
use super::names::to_pointer;
use super::repeat::{group, poll};
use super::schema_files::Schemas;
use super::scope::{Scope, check_variable_name};
use super::webhook_step::webhook_step;
use super::{MOCK_CONTROL_PREFIX, MOCK_ONLY_PATHS, OMITTABLE};
use crate::scenario::model::{Capture, CaptureFrom, Expect, Located, RequestBody, SignMode, Step};
use crate::scenario::raw;
use crate::scenario::template::Part;

/// Builds a step, or `None` when it has errors. Its captures are added to
/// `scope` for the steps after it.
pub(super) fn step(
    cx: &mut FileCx<'_>,
    schemas: &Schemas,
    mut raw: raw::Step,
    scope: &mut Scope,
    requires_mock: bool,
) -> Option<Step> {
    if let Some(webhook) = raw.webhook.take() {
        return webhook_step(cx, schemas, raw, &webhook, scope);
    }
    let before = cx.errors.len();
    let at = cx.range(&raw.name.referenced);
    let (raw_method, raw_path) = match (raw.method.take(), raw.path.take()) {
        (Some(method), Some(path)) => (method, path),
        (method, path) => {
            let missing = match (method, path) {
                (None, None) => "`method` and `path`",
                (None, _) => "`method`",
                _ => "`path`",
            };
            cx.error(
                at,
                format!("the step has no {missing}"),
                "this step",
                "a step sends a request (`method` and `path`) or awaits a webhook (`webhook: { type, session, within }`)",
            );
            return None;
        }
    };
    let group = group(cx, schemas, &raw, &scope.with_response()).map(Box::new);
    let method_at = cx.range(&raw_method.referenced);
    let method = match raw_method.value.to_ascii_uppercase().as_str() {
        m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => {
            reqwest::Method::from_bytes(m.as_bytes()).ok()
        }
        _ => None,
    };
    if method.is_none() {
        cx.error(
            method_at,
            format!("unknown HTTP method `{}`", raw_method.value),
            "not a method",
            "use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS",
        );
    }
    let path = scope.template(cx, &raw_path);
    if let Some(path) = &path
        && let Some(Part::Literal(first)) = path.value.parts().first()
        && !(first.starts_with('/')
            || first.starts_with("http://")
            || first.starts_with("https://"))
    {
        cx.error(
            path.at.clone(),
            format!("`{}` is neither a path nor a URL", raw_path.value),
            "here",
            "start the path with `/` (it is joined to the base URL), or give a full http(s) URL",
        );
    }
    if !requires_mock
        && let Some(path) = &path
        && let Some(Part::Literal(first)) = path.value.parts().first()
        && let Some(prefix) = MOCK_ONLY_PATHS
            .iter()
            .find(|p| first.starts_with(*p) || first == p.trim_end_matches('/'))
    {
        cx.error(
            path.at.clone(),
            format!(
                "`{}` is a path only the embedded mock serves (`{prefix}...`), but the scenario does not say so",
                raw_path.value
            ),
            "mock-only path",
            "add `requires: [mock]` to the scenario, so that other servers report it as ignored",
        );
    }
    let mut headers = Vec::with_capacity(raw.headers.len());
    let mut seen = SeenHeaders::default();
    for (name, value) in in_order(raw.headers) {
        let name_at = cx.range(&name.referenced);
        let Some(lower) = header_name(cx, &name.value, name_at.clone()) else {
            continue;
        };
        if !seen.first(cx, &name.value, &lower, name_at.clone()) {
            continue;
        }
        if lower.starts_with(MOCK_CONTROL_PREFIX) && !requires_mock {
            cx.error(
                name_at,
                format!(
                    "`{}` is a control of the embedded mock, but the scenario does not say so",
                    name.value
                ),
                "mock-only control",
                "add `requires: [mock]` to the scenario, so that other servers report it as ignored",
            );
        }
        if let Some(t) = scope.template(cx, &value) {
            headers.push((lower, t));
        }
    }
    let mut omit = Vec::with_capacity(raw.omit.len());
    for name in &raw.omit {
        let lower = name.value.to_ascii_lowercase();
        if OMITTABLE.contains(&lower.as_str()) {
            omit.push(lower);
        } else {
            let at = cx.range(&name.referenced);
            cx.error(
                at,
                format!("`{}` is not a default header", name.value),
                "cannot be omitted",
                &format!(
                    "`omit` takes {}",
                    list(OMITTABLE.iter().map(|s| s.to_string()))
                ),
            );
        }
    }
    let body = match (raw.body, raw.raw_body) {
        (Some(_), Some(raw_body)) => {
            let at = cx.range(&raw_body.referenced);
            cx.error(
                at,
                "a step has either `body` or `raw_body`, not both",
                "second body",
                "keep one of them",
            );
            RequestBody::None
        }
        (Some(body), None) => {
            let at = cx.range(&body.referenced);
            RequestBody::Json(json_body(cx, &body.value, at, scope, false))
        }
        (None, Some(text)) => match scope.template(cx, &text) {
            Some(t) => RequestBody::Raw(t),
            None => RequestBody::None,
        },
        (None, None) => RequestBody::None,
    };
    let sign = sign(cx, raw.sign.as_ref(), at.clone(), scope);
    let literal = path.as_ref().and_then(|p| p.value.as_literal());
    let missing_id = match (&sign.value, literal) {
        (SignMode::SessionId, Some(literal)) => crate::signing::session_id_in(literal)
            .is_none()
            .then_some(("session-id", "a session id", literal)),
        (SignMode::PathId, Some(literal)) => crate::signing::path_id_in(literal)
            .is_none()
            .then_some(("path-id", "a session, attempt or media id", literal)),
        _ => None,
    };
    if let Some((mode, what, literal)) = missing_id {
        cx.error(
            sign.at.clone(),
            format!("`sign: {mode}` needs {what} in the path, and `{literal}` has none"),
            "nothing to sign",
            "use a path like `/v1/sessions/${id}/decision`, or sign something else",
        );
    }
    let mut expect = match &raw.expect {
        Some(e) => expect(cx, schemas, &e.value, &scope.with_response()),
        None => Expect::default(),
    };
    if raw
        .expect
        .as_ref()
        .is_none_or(|e| e.value.signature.is_none())
    {
        // The default `signature: if-present` is written nowhere: its
        // mismatches point at the step.
        expect.signature.at = at.clone();
    }
    let retry = raw
        .retry
        .as_ref()
        .and_then(|r| poll(cx, schemas, r, &scope.with_response()))
        .map(Box::new);
    let captures = captures(cx, raw.capture, scope);
    if cx.errors.len() != before {
        return None;
    }
    Some(Step {
        name: raw.name.value,
        at,
        method: method?,
        path: path?,
        headers,
        omit,
        body,
        sign,
        expect,
        captures,
        retry,
        group,
        webhook: None,
    })
}

fn sign(
    cx: &mut FileCx<'_>,
    raw: Option<&raw::Any>,
    step_at: Range<usize>,
    scope: &Scope,
) -> Located<SignMode> {
    let Some(raw) = raw else {
        return Located {
            value: SignMode::Auto,
            at: step_at,
        };
    };
    let at = cx.range(&raw.referenced);
    const HELP: &str = "`sign` is one of `auto`, `body`, `session-id`, `path-id`, `none`, `wrong-secret`, `{ payload: <text to sign instead> }` or `{ value: <header value to send> }`";
    let value = match &raw.value {
        Json::String(s) => match s.as_str() {
            "auto" => Some(SignMode::Auto),
            "body" => Some(SignMode::Body),
            "session-id" => Some(SignMode::SessionId),
            "path-id" => Some(SignMode::PathId),
            "none" => Some(SignMode::None),
            "wrong-secret" => Some(SignMode::WrongSecret),
            _ => None,
        },
        Json::Object(map) if map.len() == 1 => {
            let (key, value) = map
                .iter()
                .next()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .unwrap_or_default();
            match (key, value) {
                ("payload", Some(text)) => scope
                    .parse_template(cx, text, at.clone())
                    .map(|t| SignMode::Payload(t.value)),
                ("value", Some(text)) => scope
                    .parse_template(cx, text, at.clone())
                    .map(|t| SignMode::Value(t.value)),
                _ => None,
            }
        }
        _ => None,
    };
    match value {
        Some(v) => Located { value: v, at },
        None => {
            cx.error(at.clone(), "unknown signing mode", "here", HELP);
            Located {
                value: SignMode::Auto,
                at,
            }
        }
    }
}

/// `capture:`; each name defined is added to `scope`.
pub(super) fn captures(
    cx: &mut FileCx<'_>,
    raw: raw::SpannedMap<raw::Any>,
    scope: &mut Scope,
) -> Vec<Capture> {
    let mut captures = Vec::with_capacity(raw.len());
    for (name, from) in in_order(raw) {
        let name_at = cx.range(&name.referenced);
        check_variable_name(cx, &name.value, name_at.clone());
        let from_at = cx.range(&from.referenced);
        // `None`: not a capture at all; `Some(None)`: a header capture whose
        // name is already reported as invalid.
        let source = match &from.value {
            Json::String(path) => Some(Some(CaptureFrom::Body(to_pointer(path)))),
            Json::Object(map) => match (map.len(), from.value.get("header")) {
                (1, Some(Json::String(header))) => {
                    let at = cx.find(from_at.start, header, from_at.clone());
                    Some(header_name(cx, header, at).map(CaptureFrom::Header))
                }
                _ => None,
            },
            _ => None,
        };
        match source {
            Some(source) => {
                if let Some(source) = source {
                    captures.push(Capture {
                        name: name.value.clone(),
                        from: source,
                        at: name_at,
                    });
                }
                // Defined even when its header is invalid: one error, not one per use.
                scope.define(name.value);
            }
            None => cx.error(
                from_at,
                format!("cannot tell where to capture `{}` from", name.value),
                "not a capture",
                "write a body path (`verification.id` or `/verification/id`) or `{ header: x-name }`",
            ),
        }
    }
    captures
}
