//! One scenario: its requirements, variables and steps.

use std::ops::Range;
use std::sync::Arc;

use super::cx::{FileCx, in_order};
use super::schema::Schemas;
use super::scope::{Scope, check_variable_name};
use super::step::step;
use crate::spec::model::Scenario;
use crate::spec::raw;

/// Builds a scenario; errors go to `cx`, and the caller drops a scenario that had any.
pub(super) fn scenario(
    cx: &mut FileCx<'_>,
    schemas: &mut Schemas,
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
    let mut scope = Scope::default();
    let mut vars = Vec::new();
    for (name, value) in in_order(raw.vars) {
        let name_at = cx.range(&name.referenced);
        if !check_variable_name(cx, &name.value, name_at) {
            continue;
        }
        if let Some(t) = scope.template(cx, &value) {
            vars.push((name.value.clone(), t));
        }
        scope.define(name.value);
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
    for raw_step in raw.steps.value {
        if let Some(step) = step(cx, schemas, raw_step, &mut scope, requires_mock) {
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
