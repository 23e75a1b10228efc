//! One scenario: its requirements, variables and steps.

use std::ops::Range;
use std::sync::Arc;

use super::cx::{FileCx, in_order, list};
use super::schema_files::Schemas;
use super::scope::{Scope, check_variable_name};
use super::step::step;
use crate::scenario::model::{FEATURES, Requirement, Scenario};
use crate::scenario::raw;
use crate::scenario::raw::Spanned;

/// Builds a scenario; errors go to `cx`, and the caller drops a scenario that had any.
pub(super) fn scenario(
    cx: &mut FileCx<'_>,
    schemas: &Schemas,
    raw: raw::Scenario,
    at: Range<usize>,
    trial_name: String,
) -> Scenario {
    let requires = requirements(cx, &raw.requires);
    let requires_mock = requires.contains(&Requirement::Mock);
    let mut scope = Scope::default();
    let mut vars = Vec::with_capacity(raw.vars.len());
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
    let mut steps = Vec::with_capacity(raw.steps.value.len());
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
        requires,
        at,
        vars,
        steps,
    }
}

/// `requires:`: `mock` and `feature:<name>`, each kept once.
fn requirements(cx: &mut FileCx<'_>, raw: &[Spanned<String>]) -> Vec<Requirement> {
    let mut requires = Vec::new();
    for req in raw {
        match Requirement::parse(&req.value) {
            Some(Requirement::Value(name)) if !cx.is_run_value(&name) => {
                let at = cx.range(&req.referenced);
                let known = cx.run_value_names();
                cx.error(
                    at,
                    format!("unknown run value `run.{name}`"),
                    "not a run value of this run",
                    &format!("run values are: {known}"),
                );
            }
            Some(r) if requires.contains(&r) => {}
            Some(r) => requires.push(r),
            None => {
                let at = cx.range(&req.referenced);
                let features = list(FEATURES.iter().map(|f| f.to_string()));
                match req.value.strip_prefix("feature:") {
                    Some(name) => cx.error(
                        at,
                        format!("unknown feature `{name}`"),
                        "not a known feature",
                        &format!("the opt-in features are {features}"),
                    ),
                    None => cx.error(
                        at,
                        format!("unknown requirement `{}`", req.value),
                        "not a requirement",
                        &format!(
                            "requirements are `mock` (the scenario uses the embedded mock's controls), `feature:<name>` (an opt-in API feature: {features}) and `run.<name>` (a value the run is given)"
                        ),
                    ),
                }
            }
        }
    }
    requires
}
