//! The variables of a running scenario and how templates are filled in.

use std::collections::HashMap;

use serde_json::Value;

use crate::scenario::model::JsonTemplate;
use crate::scenario::template::{Part, Template, VarKind, VarRef};

/// Values visible to a scenario's templates: its `vars`, its captures so far,
/// and the run values.
#[derive(Debug, Clone)]
pub struct Env {
    vars: HashMap<String, Value>,
    base_url: String,
    /// Run values beyond `base_url`, given by the caller of the run.
    run_values: Vec<(String, String)>,
}

/// A variable that has no value when a step runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// The variable's name.
    pub name: String,
    /// Why it has no value.
    pub reason: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`${{{}}}`: {}", self.name, self.reason)
    }
}

/// Text of a JSON value when it is put inside a string: strings as they are,
/// anything else as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A fresh random vendorData: non-semantic, as Veriff asks, and well under 1,000 characters.
pub fn random_vendor_data() -> String {
    format!("vc-{}", uuid::Uuid::new_v4().simple())
}

impl Env {
    /// An environment with only the run values.
    pub fn new(base_url: impl Into<String>) -> Self {
        Env {
            vars: HashMap::new(),
            base_url: base_url.into(),
            run_values: Vec::new(),
        }
    }

    /// This environment with `${run.NAME}` set to `value`.
    pub fn with_run_value(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.run_values.push((name.into(), value.into()));
        self
    }

    /// Defines or replaces a variable.
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.vars.insert(name.into(), value);
    }

    /// The value of one variable; `response` is the current response body, if any.
    pub fn resolve(&self, var: &VarRef, response: Option<&Value>) -> Result<Value, RenderError> {
        let missing = |reason: String| RenderError {
            name: var.name.clone(),
            reason,
        };
        match var.kind() {
            VarKind::GenUuid => Ok(Value::String(uuid::Uuid::new_v4().to_string())),
            VarKind::GenVendorData => Ok(Value::String(random_vendor_data())),
            VarKind::Run("base_url") => Ok(Value::String(self.base_url.clone())),
            VarKind::Run(other) => self
                .run_values
                .iter()
                .find(|(name, _)| name == other)
                .map(|(_, value)| Value::String(value.clone()))
                .ok_or_else(|| missing(format!("this run has no value for `run.{other}`"))),
            VarKind::Response(path) => {
                let body =
                    response.ok_or_else(|| missing("there is no JSON response body".into()))?;
                let pointer = crate::scenario::load::to_pointer(path);
                body.pointer(&pointer).cloned().ok_or_else(|| {
                    missing(format!(
                        "the response has no field at {}",
                        crate::jsonpath::json_path(&pointer)
                    ))
                })
            }
            VarKind::Named(name) => self
                .vars
                .get(name)
                .cloned()
                .ok_or_else(|| missing("not defined when the step ran".into())),
        }
    }

    /// Fills in a template as text, passing each variable's text through `escape`.
    pub fn render_with(
        &self,
        t: &Template,
        response: Option<&Value>,
        escape: impl Fn(&str) -> String,
    ) -> Result<String, RenderError> {
        let mut out = String::new();
        for part in t.parts() {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Variable(v) => out.push_str(&escape(&as_text(&self.resolve(v, response)?))),
            }
        }
        Ok(out)
    }

    /// Fills in a template as text.
    pub fn render_string(
        &self,
        t: &Template,
        response: Option<&Value>,
    ) -> Result<String, RenderError> {
        self.render_with(t, response, str::to_string)
    }

    /// Fills in a template as a JSON value: a template that is exactly one
    /// variable keeps that variable's type (null stays null); anything else is a string.
    pub fn render_value(
        &self,
        t: &Template,
        response: Option<&Value>,
    ) -> Result<Value, RenderError> {
        match t.as_single_variable() {
            Some(v) => self.resolve(v, response),
            None => self.render_string(t, response).map(Value::String),
        }
    }

    /// Fills in a request body. Matchers never reach here (the loader refuses them in requests).
    pub fn render_json(&self, t: &JsonTemplate) -> Result<Value, RenderError> {
        Ok(match t {
            JsonTemplate::Scalar(v) => Value::clone(v),
            JsonTemplate::String(t) => self.render_value(t, None)?,
            JsonTemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.render_json(i))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|f| Ok((f.key.clone(), self.render_json(&f.value)?)))
                    .collect::<Result<_, RenderError>>()?,
            ),
            JsonTemplate::Matcher(_) => Value::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_template_is_filled_in_with_run_values_and_variables() {
        let mut env = Env::new("http://127.0.0.1:8080");
        env.set("id", json!("abc"));
        let t = Template::parse("${run.base_url}/v1/sessions/${id}").unwrap();
        assert_eq!(
            env.render_string(&t, None).unwrap(),
            "http://127.0.0.1:8080/v1/sessions/abc"
        );
    }

    #[test]
    fn a_run_value_given_by_the_caller_is_filled_in_and_a_missing_one_is_named() {
        let env = Env::new("http://x").with_run_value("hook_url", "http://127.0.0.1:9/hook");
        let t = Template::parse("${run.hook_url}?a=1").unwrap();
        assert_eq!(
            env.render_string(&t, None).unwrap(),
            "http://127.0.0.1:9/hook?a=1"
        );
        let missing = Template::parse("${run.other_url}").unwrap();
        let e = env.render_string(&missing, None).unwrap_err();
        assert!(
            e.to_string().contains("no value for `run.other_url`"),
            "{e}"
        );
    }
}
