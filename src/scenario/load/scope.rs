//! Scope checking: which variables a template may use where it is written,
//! and which names `vars:` and `capture:` may define.

use std::ops::Range;

use crate::scenario::raw::Spanned;

use super::cx::{FileCx, list};
use crate::scenario::model::Located;
use crate::scenario::template::{Template, VarKind, VarRef};

/// What a template at some place may refer to: the variables defined so far
/// (scenario `vars:`, then the captures of earlier steps), and whether the
/// response exists yet (it does under `expect`).
#[derive(Clone, Default)]
pub(super) struct Scope {
    names: Vec<String>,
    response: bool,
}

impl Scope {
    /// Makes `name` usable from here on.
    pub(super) fn define(&mut self, name: String) {
        self.names.push(name);
    }

    /// This scope, with `${response...}` allowed.
    pub(super) fn with_response(&self) -> Scope {
        Scope {
            names: self.names.clone(),
            response: true,
        }
    }

    /// Parses a spanned string as a template and checks its variables.
    pub(super) fn template(
        &self,
        cx: &mut FileCx<'_>,
        s: &Spanned<String>,
    ) -> Option<Located<Template>> {
        let at = cx.range(&s.referenced);
        self.parse_template(cx, &s.value, at)
    }

    /// Parses `text`, written at `at`, as a template and checks its variables.
    pub(super) fn parse_template(
        &self,
        cx: &mut FileCx<'_>,
        text: &str,
        at: Range<usize>,
    ) -> Option<Located<Template>> {
        // The same text parses to the same template: it shares the parts of
        // the first one written in the file.
        let parsed = match cx.templates.get(text) {
            Some(t) => Ok(t.clone()),
            None => Template::parse(text).inspect(|t| {
                cx.templates.insert(text.into(), t.clone());
            }),
        };
        match parsed {
            Ok(t) => {
                for var in t.variables() {
                    self.check(cx, var, at.clone());
                }
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

    fn check(&self, cx: &mut FileCx<'_>, var: &VarRef, at: Range<usize>) {
        let needle = format!("${{{}}}", var.name);
        let at = cx.find(at.start, &needle, at);
        match var.kind() {
            VarKind::GenUuid | VarKind::GenVendorData => {}
            VarKind::Run(name) => {
                if !cx.is_run_value(name) {
                    let known = cx.run_value_names();
                    cx.error(
                        at,
                        format!("unknown run variable `{}`", var.name),
                        "not a run value",
                        &format!("run values are: {known}"),
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
}

/// Whether `name` may be defined by `vars:` or `capture:`; if not, reports it at `at`.
pub(super) fn check_variable_name(cx: &mut FileCx<'_>, name: &str, at: Range<usize>) -> bool {
    let mut chars = name.chars();
    let valid = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !["gen", "run", "response"].contains(&name);
    if !valid {
        cx.error(
            at,
            format!("`{name}` cannot be a variable name"),
            "bad name",
            "use letters, digits, `_` and `-`, starting with a letter; `gen`, `run` and `response` are reserved",
        );
    }
    valid
}
