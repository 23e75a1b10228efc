//! Turns spec text into [`Scenario`]s, reporting every problem it finds with
//! the file, line and column, and keeping the scenarios that are fine.
//!
//! One file per concern, under `load/`:
//! - `cx`: the file being loaded: locating text, collecting errors;
//! - `scope`: which variables a template may use where it is written, and
//!   which names `vars:` and `capture:` may define;
//! - `scenario`, `step`, `expect`, `json`, `headers`: building the model from
//!   the raw YAML; `repeat`: steps sent more than once (`retry:`);
//!   `webhook`: steps that await a webhook instead of sending a request;
//! - `schema`: reading, compiling and caching JSON Schemas (local files only);
//! - `names`: trial-name slugs and JSON pointers.

mod cx;
mod expect;
mod header_names;
mod json;
mod names;
mod repeat;
mod scenario;
mod schema_files;
mod scope;
mod step;
mod webhook_step;

use std::collections::HashMap;
use std::sync::Arc;

pub use names::{slug, to_pointer};

use super::error::SpecError;
use super::model::Scenario;
use super::raw;
use super::source::{Files, SourceFile};
use cx::FileCx;

/// Prefix of the request headers that only the embedded mock honours.
pub const MOCK_CONTROL_PREFIX: &str = "x-mock-";

/// Paths that only the embedded mock serves: the end user's session page
/// (`/v/{token}`; Veriff's session `url` is on another host) and the mock's
/// controls (`/mock/...`). A scenario that requests one must say
/// `requires: [mock]`. Each is a prefix of a path, or the whole path.
pub const MOCK_ONLY_PATHS: &[&str] = &["/v/", "/mock/"];

/// Default request headers that `omit:` can leave out.
pub const OMITTABLE: &[&str] = &["x-auth-client", "x-hmac-signature", "content-type"];

/// Loads scenario files and compiles each JSON Schema once for the whole run.
/// Files can be loaded on several threads at once: they share the schemas.
#[derive(Debug)]
pub struct Loader {
    schemas: schema_files::Schemas,
    run_values: Vec<String>,
}

impl Loader {
    /// A loader reading schemas from `files`.
    pub fn new(files: Files) -> Self {
        Loader {
            schemas: schema_files::Schemas::new(files),
            run_values: Vec::new(),
        }
    }

    /// This loader, accepting `${run.NAME}` and `requires: [run.NAME]` for
    /// each of `names` besides `run.base_url`: values the caller of the run
    /// gives (a run without them ignores the scenarios that require them).
    ///
    /// ```
    /// use veriff_conformance::{Files, Loader, SourceFile};
    /// let file = SourceFile::new("hook.yaml", "hook.yaml", r#"
    /// scenarios:
    ///   - name: a hook answers
    ///     requires: [run.hook_url]
    ///     steps:
    ///       - { name: post, method: POST, path: "${run.hook_url}", body: {}, expect: { status: 200 } }
    /// "#);
    /// let (_, errors) = Loader::new(Files::Disk).load(&file, "hook");
    /// assert!(errors[0].to_string().contains("run.hook_url"));
    /// let loader = Loader::new(Files::Disk).with_run_values(["hook_url"]);
    /// let (scenarios, errors) = loader.load(&file, "hook");
    /// assert!(errors.is_empty(), "{errors:?}");
    /// assert_eq!(scenarios[0].required_values().collect::<Vec<_>>(), ["hook_url"]);
    ///
    /// // A requirement names a run value of this loader, or it is an error.
    /// let other = SourceFile::new("other.yaml", "other.yaml", file.text.replace("requires: [run.hook_url]", "requires: [run.other_url]"));
    /// let (_, errors) = loader.load(&other, "other");
    /// assert!(errors[0].to_string().contains("unknown run value `run.other_url`"));
    /// ```
    pub fn with_run_values<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.run_values = names.into_iter().map(Into::into).collect();
        self
    }

    /// Loads the scenarios of one file. Scenarios with errors are left out and
    /// their errors returned; the others are returned ready to run.
    ///
    /// ```
    /// use veriff_conformance::{Files, Loader, SourceFile};
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
        &self,
        file: &Arc<SourceFile>,
        trial_prefix: &str,
    ) -> (Vec<Scenario>, Vec<SpecError>) {
        self.build(file, parse(file), trial_prefix)
    }

    /// Builds the scenarios of one file from its parsed YAML (see `parse` here):
    /// the part of [`Loader::load`] that checks scopes and compiles schemas
    /// (each once, whichever thread needs it first).
    pub fn build(
        &self,
        file: &Arc<SourceFile>,
        parsed: Result<Parsed, SpecError>,
        trial_prefix: &str,
    ) -> (Vec<Scenario>, Vec<SpecError>) {
        let mut cx = FileCx::new(file, &self.run_values);
        let parsed = match parsed {
            Ok(Parsed(parsed)) => parsed,
            Err(err) => {
                cx.push(err);
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
        let mut scenarios = Vec::with_capacity(parsed.scenarios.value.len());
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
            let scenario = scenario::scenario(
                &mut cx,
                &self.schemas,
                raw,
                name_at,
                format!("{trial_prefix}::{slugged}"),
            );
            if cx.errors.len() == before {
                scenarios.push(scenario);
            }
        }
        (scenarios, cx.errors)
    }
}

/// A spec file's YAML, parsed but not yet checked.
#[derive(Debug)]
pub struct Parsed(raw::File);

/// Parses a spec file's YAML: the costly part of loading, and a pure one, so
/// that files can be parsed on several threads and built in order.
pub fn parse(file: &Arc<SourceFile>) -> Result<Parsed, SpecError> {
    // Comments are still read and checked as YAML, but their text is not kept
    // (no spec type reads it); the budget and every other default stays.
    if let Some(read) = raw::read_events(&file.text) {
        return Ok(Parsed(read));
    }
    let options = serde_saphyr::options! { emit_comments: false };
    serde_saphyr::from_str_with_options(&file.text, options)
        .map(Parsed)
        .map_err(|err| yaml_error(file, &err))
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
                .with_help("the spec format is described in docs/scenarios.md")
        }
        None => SpecError::in_file(file, message),
    }
}
