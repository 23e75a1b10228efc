//! Turns spec text into [`Scenario`]s, reporting every problem it finds with
//! the file, line and column, and keeping the scenarios that are fine.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::error::SpecError;
use super::model::*;
use super::raw;
use super::source::{Files, SourceFile, normalize};
use super::template::{RUN_VARIABLES, Template, VarKind, VarRef};

/// Prefix of the request headers that only the embedded mock honours.
pub const MOCK_CONTROL_PREFIX: &str = "x-mock-";

/// Default request headers that `omit:` can leave out.
pub const OMITTABLE: &[&str] = &["x-auth-client", "x-hmac-signature", "content-type"];

/// Loads scenario files and compiles each JSON Schema once for the whole run.
#[derive(Debug)]
pub struct Loader {
    files: Files,
    schemas: HashMap<PathBuf, Result<Arc<CompiledSchema>, String>>,
}

struct FileCx<'a> {
    file: &'a Arc<SourceFile>,
    errors: Vec<SpecError>,
}

impl FileCx<'_> {
    fn range(&self, loc: &Location) -> Range<usize> {
        let span = loc.span();
        if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(self.file.text.len());
            let len = usize::try_from(len).unwrap_or(0).max(1);
            return start..(start + len).min(self.file.text.len());
        }
        let line = usize::try_from(loc.line()).unwrap_or(1);
        let col = usize::try_from(loc.column()).unwrap_or(1);
        let offset = self.file.offset_of(line, col).unwrap_or(0);
        self.file.token_at(offset)
    }

    fn error(&mut self, at: Range<usize>, message: impl Into<String>, label: &str, help: &str) {
        let mut err = SpecError::at(self.file, at, message).with_label(label);
        if !help.is_empty() {
            err = err.with_help(help);
        }
        self.errors.push(err);
    }

    /// The range of `needle` at or after `from`, or `fallback`.
    fn find(&self, from: usize, needle: &str, fallback: Range<usize>) -> Range<usize> {
        self.file
            .text
            .get(from..)
            .and_then(|rest| rest.find(needle))
            .map(|i| from + i..from + i + needle.len())
            .unwrap_or(fallback)
    }
}

impl FileCx<'_> {
    /// The range of a mapping key `key` at or after `from`: the name standing
    /// alone (not inside a longer word or a value), optionally quoted, followed by `:`.
    fn find_key(&self, from: usize, key: &str, fallback: Range<usize>) -> Range<usize> {
        let text = &self.file.text;
        let Some(rest) = text.get(from..) else {
            return fallback;
        };
        for (i, _) in rest.match_indices(key) {
            let start = from + i;
            let end = start + key.len();
            let before = text[..start].chars().next_back();
            let mut after = text[end..].chars();
            let mut next = after.next();
            let quoted = matches!(before, Some('"' | '\''));
            if quoted && next == before {
                next = after.next();
            }
            let standalone =
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$');
            if (standalone || quoted) && next == Some(':') {
                return start..end;
            }
        }
        self.find(from, key, fallback)
    }
}

/// What a template at some place may refer to.
#[derive(Clone)]
struct Scope {
    names: Vec<String>,
    response: bool,
}

impl Scope {
    fn check(&self, cx: &mut FileCx<'_>, var: &VarRef, at: Range<usize>) {
        let needle = format!("${{{}}}", var.name);
        let at = cx.find(at.start, &needle, at);
        match var.kind() {
            VarKind::GenUuid | VarKind::GenVendorData => {}
            VarKind::Run(name) => {
                if !RUN_VARIABLES.contains(&name) {
                    cx.error(
                        at,
                        format!("unknown run variable `{}`", var.name),
                        "not a run value",
                        &format!(
                            "run values are: {}",
                            list(RUN_VARIABLES.iter().map(|n| format!("run.{n}")))
                        ),
                    );
                }
            }
            VarKind::Response(_) if !self.response => cx.error(
                at,
                format!(
                    "`${{{}}}` refers to the response, which does not exist yet here",
                    var.name
                ),
                "only allowed under `expect`",
                "capture the value in this step and use it in a later step",
            ),
            VarKind::Response(_) => {}
            VarKind::Named(name) => {
                if name.starts_with("gen.") || name == "gen" || name == "run" {
                    cx.error(
                        at,
                        format!("unknown variable `{}`", var.name),
                        "not defined",
                        "generators are `gen.uuid` and `gen.vendor_data`; run values are `run.base_url`",
                    );
                } else if !self.names.iter().any(|n| n == name) {
                    let known = if self.names.is_empty() {
                        "no variables are defined at this point".to_string()
                    } else {
                        format!(
                            "defined at this point: {}",
                            list(self.names.iter().cloned())
                        )
                    };
                    cx.error(
                        at,
                        format!("undefined variable `{name}`"),
                        "not defined at this point",
                        &format!(
                            "define it under the scenario's `vars:` or `capture:` it in an earlier step ({known})"
                        ),
                    );
                }
            }
        }
    }

    fn check_template(&self, cx: &mut FileCx<'_>, t: &Template, at: &Range<usize>) {
        for var in t.variables() {
            self.check(cx, var, at.clone());
        }
    }
}

fn list(items: impl Iterator<Item = String>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sorts the entries of a YAML map back into the order they were written.
fn in_order<V>(map: raw::SpannedMap<V>) -> Vec<(Spanned<String>, V)> {
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    entries
}

/// The lower-case form of a header name written in a spec, or an error.
fn header_name(cx: &mut FileCx<'_>, name: &str, at: Range<usize>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if reqwest::header::HeaderName::from_bytes(lower.as_bytes()).is_ok() {
        Some(lower)
    } else {
        cx.error(
            at,
            format!("`{name}` is not a valid header name"),
            "bad header name",
            "",
        );
        None
    }
}

/// Snake-case form of a scenario name, used in trial names.
///
/// ```
/// assert_eq!(veriff_conformance::spec::load::slug("Double submit is rejected!"), "double_submit_is_rejected");
/// ```
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn valid_capture_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !["gen", "run", "response"].contains(&name)
}

/// Converts a capture or response path to a JSON pointer: `/a/b` stays, `a.b.0` becomes `/a/b/0`.
///
/// ```
/// use veriff_conformance::spec::load::to_pointer;
/// assert_eq!(to_pointer("verification.id"), "/verification/id");
/// assert_eq!(to_pointer("/verification/id"), "/verification/id");
/// assert_eq!(to_pointer(""), "");
/// ```
pub fn to_pointer(path: &str) -> String {
    if path.is_empty() || path.starts_with('/') {
        return path.to_string();
    }
    path.split('.')
        .map(|seg| format!("/{}", seg.replace('~', "~0").replace('/', "~1")))
        .collect()
}

impl Loader {
    /// A loader reading schemas from `files`.
    pub fn new(files: Files) -> Self {
        Loader {
            files,
            schemas: HashMap::new(),
        }
    }

    /// Loads the scenarios of one file. Scenarios with errors are left out and
    /// their errors returned; the others are returned ready to run.
    ///
    /// ```
    /// use veriff_conformance::spec::{load::Loader, source::{Files, SourceFile}};
    /// let file = SourceFile::new("example.yaml", "example.yaml", r#"
    /// scenarios:
    ///   - name: unknown session is not found
    ///     steps:
    ///       - name: submit
    ///         method: PATCH
    ///         path: /v1/sessions/${gen.uuid}
    ///         body: { verification: { status: submitted } }
    ///         expect: { status: 404 }
    /// "#);
    /// let (scenarios, errors) = Loader::new(Files::Disk).load(&file, "example");
    /// assert!(errors.is_empty(), "{errors:?}");
    /// assert_eq!(scenarios[0].trial_name, "example::unknown_session_is_not_found");
    /// ```
    pub fn load(
        &mut self,
        file: &Arc<SourceFile>,
        trial_prefix: &str,
    ) -> (Vec<Scenario>, Vec<SpecError>) {
        let mut cx = FileCx {
            file,
            errors: Vec::new(),
        };
        let parsed: Result<raw::File, _> = serde_saphyr::from_str(&file.text);
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(err) => {
                cx.errors.push(yaml_error(file, &err));
                return (Vec::new(), cx.errors);
            }
        };
        if parsed.scenarios.value.is_empty() {
            let at = cx.range(&parsed.scenarios.referenced);
            cx.error(
                at,
                "the file has no scenarios",
                "empty list",
                "add at least one scenario under `scenarios:`",
            );
        }
        let mut scenarios = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for raw in parsed.scenarios.value {
            let before = cx.errors.len();
            let name_at = cx.range(&raw.name.referenced);
            let slugged = slug(&raw.name.value);
            if slugged.is_empty() {
                cx.error(
                    name_at.clone(),
                    "a scenario needs a name with letters or digits",
                    "empty name",
                    "",
                );
            } else if let Some(other) = seen.insert(slugged.clone(), raw.name.value.clone()) {
                cx.error(
                    name_at.clone(),
                    format!("two scenarios in this file are named `{slugged}` in trial names"),
                    "same trial name",
                    &format!("rename this one or `{other}`: trial names must be unique"),
                );
            }
            let scenario =
                self.scenario(&mut cx, raw, name_at, format!("{trial_prefix}::{slugged}"));
            if cx.errors.len() == before {
                scenarios.push(scenario);
            }
        }
        (scenarios, cx.errors)
    }

    fn scenario(
        &mut self,
        cx: &mut FileCx<'_>,
        raw: raw::Scenario,
        at: Range<usize>,
        trial_name: String,
    ) -> Scenario {
        let mut requires_mock = false;
        for req in &raw.requires {
            if req.value == "mock" {
                requires_mock = true;
            } else {
                let at = cx.range(&req.referenced);
                cx.error(
                    at,
                    format!("unknown requirement `{}`", req.value),
                    "not a requirement",
                    "the only requirement is `mock` (the scenario uses the embedded mock's controls)",
                );
            }
        }
        let mut scope = Scope {
            names: Vec::new(),
            response: false,
        };
        let mut vars = Vec::new();
        for (name, value) in in_order(raw.vars) {
            let name_at = cx.range(&name.referenced);
            if !valid_capture_name(&name.value) {
                cx.error(name_at, format!("`{}` cannot be a variable name", name.value), "bad name",
                    "use letters, digits, `_` and `-`, starting with a letter; `gen`, `run` and `response` are reserved");
                continue;
            }
            if let Some(t) = self.template(cx, &value, &scope) {
                vars.push((name.value.clone(), t));
            }
            scope.names.push(name.value);
        }
        let mut steps = Vec::new();
        let steps_at = cx.range(&raw.steps.referenced);
        if raw.steps.value.is_empty() {
            cx.error(
                steps_at,
                "the scenario has no steps",
                "empty list",
                "add at least one step under `steps:`",
            );
        }
        for step in raw.steps.value {
            if let Some(step) = self.step(cx, step, &mut scope, requires_mock) {
                steps.push(step);
            }
        }
        Scenario {
            file: Arc::clone(cx.file),
            name: raw.name.value,
            trial_name,
            description: raw.description,
            tags: raw.tags,
            requires_mock,
            at,
            vars,
            steps,
        }
    }

    fn template(
        &self,
        cx: &mut FileCx<'_>,
        s: &Spanned<String>,
        scope: &Scope,
    ) -> Option<Located<Template>> {
        let at = cx.range(&s.referenced);
        self.parse_template(cx, &s.value, at, scope)
    }

    fn parse_template(
        &self,
        cx: &mut FileCx<'_>,
        text: &str,
        at: Range<usize>,
        scope: &Scope,
    ) -> Option<Located<Template>> {
        match Template::parse(text) {
            Ok(t) => {
                scope.check_template(cx, &t, &at);
                Some(Located { value: t, at })
            }
            Err(e) => {
                let snippet: String = text[e.offset..].chars().take(12).collect();
                let where_ = cx.find(at.start, &snippet, at.clone());
                cx.error(where_, e.message, "here", &e.help);
                None
            }
        }
    }

    fn step(
        &mut self,
        cx: &mut FileCx<'_>,
        raw: raw::Step,
        scope: &mut Scope,
        requires_mock: bool,
    ) -> Option<Step> {
        let before = cx.errors.len();
        let at = cx.range(&raw.name.referenced);
        let method_at = cx.range(&raw.method.referenced);
        let method = match raw.method.value.to_ascii_uppercase().as_str() {
            m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => {
                reqwest::Method::from_bytes(m.as_bytes()).ok()
            }
            _ => None,
        };
        if method.is_none() {
            cx.error(
                method_at,
                format!("unknown HTTP method `{}`", raw.method.value),
                "not a method",
                "use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS",
            );
        }
        let path = self.template(cx, &raw.path, scope);
        if let Some(path) = &path
            && let Some(crate::spec::template::Part::Literal(first)) = path.value.parts().first()
            && !(first.starts_with('/')
                || first.starts_with("http://")
                || first.starts_with("https://"))
        {
            cx.error(path.at.clone(), format!("`{}` is neither a path nor a URL", raw.path.value), "here",
                "start the path with `/` (it is joined to the base URL), or give a full http(s) URL");
        }
        let mut headers = Vec::new();
        for (name, value) in in_order(raw.headers) {
            let name_at = cx.range(&name.referenced);
            let Some(lower) = header_name(cx, &name.value, name_at.clone()) else {
                continue;
            };
            if lower.starts_with(MOCK_CONTROL_PREFIX) && !requires_mock {
                cx.error(name_at, format!("`{}` is a control of the embedded mock, but the scenario does not say so", name.value),
                    "mock-only control", "add `requires: [mock]` to the scenario, so that other servers report it as ignored");
            }
            if let Some(t) = self.template(cx, &value, scope) {
                headers.push((lower, t));
            }
        }
        let mut omit = Vec::new();
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
                let t = self.json(cx, &body.value, at.clone(), scope, false);
                RequestBody::Json(Located { value: t, at })
            }
            (None, Some(text)) => match self.template(cx, &text, scope) {
                Some(t) => RequestBody::Raw(t),
                None => RequestBody::None,
            },
            (None, None) => RequestBody::None,
        };
        let sign = self.sign(cx, raw.sign.as_ref(), at.clone(), scope);
        if let (SignMode::SessionId, Some(literal)) = (
            &sign.value,
            path.as_ref().and_then(|p| p.value.as_literal()),
        ) && crate::signing::session_id_in(literal).is_none()
        {
            cx.error(
                sign.at.clone(),
                format!(
                    "`sign: session-id` needs a session id in the path, and `{literal}` has none"
                ),
                "nothing to sign",
                "use a path like `/v1/sessions/${id}/decision`, or sign something else",
            );
        }
        let mut expect_scope = scope.clone();
        expect_scope.response = true;
        let mut expect = match &raw.expect {
            Some(e) => self.expect(cx, &e.value, &expect_scope),
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
        let mut captures = Vec::new();
        for (name, from) in in_order(raw.capture) {
            let name_at = cx.range(&name.referenced);
            if !valid_capture_name(&name.value) {
                cx.error(name_at.clone(), format!("`{}` cannot be a variable name", name.value), "bad name",
                    "use letters, digits, `_` and `-`, starting with a letter; `gen`, `run` and `response` are reserved");
            }
            let from_at = cx.range(&from.referenced);
            let source = match &from.value {
                Value::String(path) => Some(CaptureFrom::Body(to_pointer(path))),
                Value::Object(map)
                    if map.len() == 1 && map.get("header").is_some_and(Value::is_string) =>
                {
                    map.get("header")
                        .and_then(Value::as_str)
                        .map(|h| CaptureFrom::Header(h.to_ascii_lowercase()))
                }
                _ => None,
            };
            match source {
                Some(source) => {
                    captures.push(Capture { name: name.value.clone(), from: source, at: name_at });
                    scope.names.push(name.value);
                }
                None => cx.error(from_at, format!("cannot tell where to capture `{}` from", name.value), "not a capture",
                    "write a body path (`verification.id` or `/verification/id`) or `{ header: x-name }`"),
            }
        }
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
        })
    }

    fn sign(
        &self,
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
        const HELP: &str = "`sign` is one of `auto`, `body`, `session-id`, `none`, `wrong-secret`, `{ payload: <text to sign instead> }` or `{ value: <header value to send> }`";
        let value = match &raw.value {
            Value::String(s) => match s.as_str() {
                "auto" => Some(SignMode::Auto),
                "body" => Some(SignMode::Body),
                "session-id" => Some(SignMode::SessionId),
                "none" => Some(SignMode::None),
                "wrong-secret" => Some(SignMode::WrongSecret),
                _ => None,
            },
            Value::Object(map) if map.len() == 1 => {
                let (key, value) = map
                    .iter()
                    .next()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .unwrap_or_default();
                match (key, value) {
                    ("payload", Some(text)) => self
                        .parse_template(cx, text, at.clone(), scope)
                        .map(|t| SignMode::Payload(t.value)),
                    ("value", Some(text)) => self
                        .parse_template(cx, text, at.clone(), scope)
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

    fn expect(&mut self, cx: &mut FileCx<'_>, raw: &raw::Expect, scope: &Scope) -> Expect {
        let mut expect = Expect::default();
        if let Some(status) = &raw.status {
            let at = cx.range(&status.referenced);
            let code = |v: &Value| {
                v.as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| (100..=599).contains(n))
            };
            let parsed = match &status.value {
                Value::Number(_) => code(&status.value).map(|c| StatusExpect::AnyOf(vec![c])),
                Value::String(s) => {
                    let b = s.as_bytes();
                    if b.len() == 3
                        && (b'1'..=b'5').contains(&b[0])
                        && s[1..].eq_ignore_ascii_case("xx")
                    {
                        Some(StatusExpect::Class(u16::from(b[0] - b'0')))
                    } else {
                        s.parse::<u64>()
                            .ok()
                            .map(Value::from)
                            .as_ref()
                            .and_then(code)
                            .map(|c| StatusExpect::AnyOf(vec![c]))
                    }
                }
                Value::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(code)
                    .collect::<Option<Vec<_>>>()
                    .map(StatusExpect::AnyOf),
                _ => None,
            };
            match parsed {
                Some(s) => expect.status = Some(Located { value: s, at }),
                None => cx.error(at, "not a status expectation", "here",
                    "write a code from 100 to 599 (`404`), a class (`4xx`) or a list of codes (`[200, 201]`)"),
            }
        }
        for (name, rule) in in_order(raw.headers.clone()) {
            let at = cx.range(&rule.referenced);
            let name_at = cx.range(&name.referenced);
            let Some(lower) = header_name(cx, &name.value, name_at.clone()) else {
                continue;
            };
            const HELP: &str = "write a value to compare, or one of `{ present: true }`, `{ absent: true }`, `{ equals: <value> }`, `{ matches: <regex> }`";
            let parsed = match &rule.value {
                Value::String(s) => self
                    .parse_template(cx, s, at.clone(), scope)
                    .map(|t| HeaderRule::Equals(t.value)),
                Value::Object(map) if map.len() == 1 => match map.iter().next() {
                    Some((k, Value::Bool(true))) if k == "present" => Some(HeaderRule::Present),
                    Some((k, Value::Bool(false))) if k == "present" => Some(HeaderRule::Absent),
                    Some((k, Value::Bool(true))) if k == "absent" => Some(HeaderRule::Absent),
                    Some((k, Value::Bool(false))) if k == "absent" => Some(HeaderRule::Present),
                    Some((k, Value::String(s))) if k == "equals" => self
                        .parse_template(cx, s, at.clone(), scope)
                        .map(|t| HeaderRule::Equals(t.value)),
                    Some((k, Value::String(s))) if k == "matches" => match regex::Regex::new(s) {
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
                    },
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
        if let Some(schema) = &raw.schema {
            let at = cx.range(&schema.referenced);
            let base = cx.file.path.parent().unwrap_or(Path::new(""));
            let path = normalize(&base.join(&schema.value));
            match self.schema(&path) {
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
            let t = self.json(cx, &body.value, at.clone(), scope, true);
            expect.body = Some(Located { value: t, at });
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

    fn json(
        &self,
        cx: &mut FileCx<'_>,
        value: &Value,
        at: Range<usize>,
        scope: &Scope,
        matchers: bool,
    ) -> JsonTemplate {
        match value {
            Value::String(s) => match self.parse_template(cx, s, at, scope) {
                Some(t) => JsonTemplate::String(t.value),
                None => JsonTemplate::Scalar(Value::Null),
            },
            Value::Array(items) => JsonTemplate::Array(
                items
                    .iter()
                    .map(|v| self.json(cx, v, at.clone(), scope, matchers))
                    .collect(),
            ),
            Value::Object(map) => {
                if let Some(key) = map.keys().find(|k| k.starts_with('$')) {
                    let key_at = cx.find(at.start, key, at.clone());
                    if !matchers {
                        cx.error(key_at, format!("`{key}` looks like a matcher, which only expectations can use"), "here",
                            "remove it, or quote a key that really starts with `$` in the expected body instead");
                        return JsonTemplate::Scalar(Value::Null);
                    }
                    if map.len() != 1 {
                        cx.error(
                            key_at,
                            format!("a matcher object has one key, but `{key}` has company"),
                            "here",
                            "write the matcher alone: `{ $regex: ... }` or `{ $type: ... }`",
                        );
                        return JsonTemplate::Scalar(Value::Null);
                    }
                    let arg = &map[key.as_str()];
                    return match (key.as_str(), arg) {
                        ("$regex", Value::String(s)) => {
                            match self.parse_template(cx, s, at.clone(), scope) {
                                Some(t) => {
                                    if let Some(lit) = t.value.as_literal()
                                        && let Err(e) = regex::Regex::new(lit)
                                    {
                                        cx.error(
                                            key_at,
                                            "invalid regular expression",
                                            "here",
                                            &e.to_string(),
                                        );
                                    }
                                    JsonTemplate::Matcher(Matcher::Regex(t.value))
                                }
                                None => JsonTemplate::Scalar(Value::Null),
                            }
                        }
                        ("$type", Value::String(s)) => match JsonType::parse(s) {
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
                                JsonTemplate::Scalar(Value::Null)
                            }
                        },
                        _ => {
                            cx.error(key_at, format!("unknown matcher `{key}`"), "here",
                                "matchers are `{ $regex: <pattern> }` and `{ $type: <json type> }`, each with a string argument");
                            JsonTemplate::Scalar(Value::Null)
                        }
                    };
                }
                let mut fields = Vec::with_capacity(map.len());
                let mut from = at.start;
                for (key, value) in map {
                    // Keys are found in the order written, each after the previous one.
                    let key_at = cx.find_key(from, key, at.clone());
                    from = key_at.end.max(from);
                    let value = self.json(cx, value, key_at.start..at.end, scope, matchers);
                    fields.push(Field {
                        key: key.clone(),
                        at: key_at,
                        value,
                    });
                }
                JsonTemplate::Object(fields)
            }
            other => JsonTemplate::Scalar(other.clone()),
        }
    }

    fn schema(&mut self, path: &Path) -> Result<Arc<CompiledSchema>, String> {
        if let Some(cached) = self.schemas.get(path) {
            return cached.clone();
        }
        let result = compile_schema(self.files, path);
        self.schemas.insert(path.to_path_buf(), result.clone());
        result
    }
}

struct LocalRetriever(Files);

impl jsonschema::Retrieve for LocalRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.scheme().as_str() != "file" {
            return Err(format!(
                "{} is not a local file: schemas are never fetched over the network",
                uri.as_str()
            )
            .into());
        }
        let path = self
            .0
            .path_of_uri(uri.as_str())
            .ok_or_else(|| format!("{} does not name a local file", uri.as_str()))?;
        let text = self
            .0
            .read(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
    }
}

fn compile_schema(files: Files, path: &Path) -> Result<Arc<CompiledSchema>, String> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = files
        .read(path)
        .map_err(|e| format!("cannot read schema {name}: {e}"))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("schema {name} is not JSON: {e}"))?;
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_base_uri(files.uri_of(path))
        .with_retriever(LocalRetriever(files))
        .build(&value)
        .map_err(|e| format!("schema {name} does not compile: {e}"))?;
    Ok(Arc::new(CompiledSchema { name, validator }))
}

fn yaml_error(file: &Arc<SourceFile>, err: &serde_saphyr::Error) -> SpecError {
    let plain = err.without_snippet();
    let message = plain.to_string();
    let message = message.lines().next().unwrap_or("invalid YAML");
    let message = match message.rfind(" at line ") {
        Some(i) if message[i..].contains(", column ") => &message[..i],
        _ => message,
    }
    .to_string();
    match plain.location() {
        Some(loc) => {
            let line = usize::try_from(loc.line()).unwrap_or(1);
            let col = usize::try_from(loc.column()).unwrap_or(1);
            let offset = file.offset_of(line, col).unwrap_or(0);
            SpecError::at(file, file.token_at(offset), message)
                .with_label("here")
                .with_help("the spec format is described in README.md, \"Writing scenarios\"")
        }
        None => SpecError::in_file(file, message),
    }
}
