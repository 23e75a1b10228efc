//! The baseline on disk: one pretty JSON file per scenario, keys sorted, at
//! `DIR/<spec file path without extension>/<scenario>.json` (the trial name
//! with `::` as a folder separator), so that it diffs cleanly in git.
//!
//! ```text
//! {
//!   "format": 1,
//!   "normalisation": 6,
//!   "scenario": "submit::valid_submit_of_a_created_session",
//!   "steps": [
//!     {
//!       "body": { "status": "success", "verification": { "id": "${id}", ... } },
//!       "headers": { "content-type": "application/json", "x-auth-client": "<api-key>", ... },
//!       "method": "PATCH",
//!       "name": "submit it",
//!       "path": "/v1/sessions/${id}",
//!       "status": 200,
//!       "step": 2
//!     }
//!   ]
//! }
//! ```
//!
//! A file that cannot be read, is not this format, or was edited into
//! something inconsistent is a [`BaselineError`] naming the file (and the
//! line and column when the JSON itself is wrong), never a panic.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::findings::Gone;
use super::normalize::Rule;
use crate::mask::Masker;
use crate::scenario::source::read_regular_file;

/// The version of the file format this build writes and reads.
pub const FORMAT: u32 = 1;

/// One scenario's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioBaseline {
    /// The version of the file format (`FORMAT`, 1 in this build).
    pub format: u32,
    /// How many normalisation rules ([`Rule::ALL`]) the values went through.
    pub normalisation: usize,
    /// The trial name.
    pub scenario: String,
    /// Every step that ran, in order.
    pub steps: Vec<StepBaseline>,
}

/// One step's exchange, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepBaseline {
    /// 1-based position in the scenario.
    pub step: usize,
    /// The step's name (for people; not compared).
    pub name: String,
    /// HTTP method.
    pub method: String,
    /// The path as written in the spec, a template (`/v1/sessions/${id}`).
    pub path: String,
    /// The status code.
    pub status: u16,
    /// Response headers without the transport ones: name (lower case) to
    /// normalised value, or `<not recorded>` where the value is not stable.
    pub headers: BTreeMap<String, String>,
    /// The body when it is JSON, normalised; absent when empty or not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The body when it is not JSON, normalised; absent when empty or JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
}

/// A baseline file (or the folder itself) that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineError {
    /// The file, or the folder.
    pub file: PathBuf,
    /// What is wrong, with `line:column: ` first when known.
    pub message: String,
    /// `file` is the baseline folder (which may not exist), not a file in it.
    pub folder: bool,
}

impl BaselineError {
    /// What is wrong with the folder `dir` itself.
    fn of_folder(dir: &Path, message: String) -> Self {
        BaselineError {
            file: dir.to_path_buf(),
            message,
            folder: true,
        }
    }
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.folder || self.file.is_dir() {
            "folder"
        } else {
            "file"
        };
        write!(
            f,
            "baseline {what} {}: {}",
            self.file.display(),
            self.message
        )
    }
}

/// The baseline file of a trial: `DIR/<file>/<scenario>.json`.
pub fn file_for(dir: &Path, trial: &str) -> Result<PathBuf, String> {
    let (file, scenario) = trial
        .rsplit_once("::")
        .ok_or_else(|| format!("`{trial}` is not a trial name (`file::scenario`)"))?;
    let mut path = dir.to_path_buf();
    for part in file.split('/').chain([scenario]) {
        let plain = matches!(
            Path::new(part).components().next(),
            Some(Component::Normal(_))
        ) && Path::new(part).components().count() == 1;
        if !plain || part.contains('\\') {
            return Err(format!(
                "trial `{trial}` cannot name a baseline file: `{part}` is not a plain file name"
            ));
        }
        path.push(part);
    }
    path.set_extension("json");
    Ok(path)
}

/// The trial a baseline file is for, from its path under `dir`.
pub fn trial_of(dir: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(dir).ok()?;
    let parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_string),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (scenario, file) = parts.split_last()?;
    (!file.is_empty()).then(|| format!("{}::{scenario}", file.join("/")))
}

/// The text of a baseline file: pretty JSON, every object's keys sorted, a
/// final newline, and every secret `masker` knows replaced (there should be
/// none; this is the last guard).
pub fn to_text(baseline: &ScenarioBaseline, masker: &Masker) -> String {
    let value = serde_json::to_value(baseline).unwrap_or(Value::Null);
    let text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    masker.mask(&format!("{text}\n"))
}

/// `value` with every object's keys in sorted order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Parses and checks the text of the baseline file `file` of `trial`.
pub fn parse(file: &Path, trial: &str, text: &str) -> Result<ScenarioBaseline, BaselineError> {
    let error = |message: String| BaselineError {
        file: file.to_path_buf(),
        message,
        folder: false,
    };
    let baseline: ScenarioBaseline = serde_json::from_str(text).map_err(|e| {
        error(format!(
            "{}:{}: {} (record it again with --record-baseline)",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ))
    })?;
    if baseline.format != FORMAT {
        return Err(error(format!(
            "format {} is not the format this build reads ({FORMAT})",
            baseline.format
        )));
    }
    if baseline.normalisation > Rule::ALL.len() {
        return Err(error(format!(
            "it was written with {} normalisation rules, but this build knows only {}; \
             a newer veriff-conformance recorded it",
            baseline.normalisation,
            Rule::ALL.len()
        )));
    }
    if baseline.scenario != trial {
        return Err(error(format!(
            "it says it is for scenario `{}`, but its path is that of `{trial}`",
            baseline.scenario
        )));
    }
    for (i, step) in baseline.steps.iter().enumerate() {
        if step.step != i + 1 {
            return Err(error(format!(
                "step {} is numbered {}; steps must be numbered 1, 2, 3… in order",
                i + 1,
                step.step
            )));
        }
        if !(100..=599).contains(&step.status) {
            return Err(error(format!(
                "step {}: {} is not an HTTP status code",
                step.step, step.status
            )));
        }
        if step.method.is_empty() || !step.method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(error(format!(
                "step {}: `{}` is not an HTTP method",
                step.step, step.method
            )));
        }
        if step.body.is_some() && step.body_text.is_some() {
            return Err(error(format!(
                "step {}: has both `body` and `body_text`",
                step.step
            )));
        }
    }
    Ok(baseline)
}

/// serde_json ends its messages with ` at line L column C`; the position is shown first instead.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// A baseline folder, read.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// The folder.
    pub dir: PathBuf,
    /// The baseline of each trial that has a file.
    pub scenarios: HashMap<String, Arc<ScenarioBaseline>>,
    /// Files whose scenario is not among those loaded.
    pub gone: Vec<Gone>,
}

/// Most files a baseline folder may hold: a bound on what a run reads.
pub const MAX_FILES: usize = 100_000;

/// Reads the baseline folder `dir` for the scenarios named `trials` (every
/// scenario loaded, whether or not this run selects it). Every `.json` file
/// under it is a baseline: those of a trial are parsed and checked, the
/// others are [`Gone`]. Every unusable file is reported, not only the first.
pub fn load(dir: &Path, trials: &[&str]) -> Result<Baseline, Vec<BaselineError>> {
    let not_a_dir = |message: String| vec![BaselineError::of_folder(dir, message)];
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(not_a_dir("not a folder".into())),
        Err(e) => {
            return Err(not_a_dir(format!(
                "cannot read it ({e}); record one with --record-baseline"
            )));
        }
    }
    let mut files = Vec::new();
    collect_json(dir, &mut files).map_err(|(file, message)| {
        vec![BaselineError {
            file,
            message,
            folder: false,
        }]
    })?;
    files.sort();
    let mut baseline = Baseline {
        dir: dir.to_path_buf(),
        ..Baseline::default()
    };
    let mut errors = Vec::new();
    for file in files {
        let Some(trial) = trial_of(dir, &file) else {
            continue;
        };
        if !trials.contains(&trial.as_str()) {
            baseline.gone.push(Gone { trial, file });
            continue;
        }
        let parsed = read_regular_file(&file)
            .map_err(|e| BaselineError {
                file: file.clone(),
                message: format!("cannot read it: {e}"),
                folder: false,
            })
            .and_then(|text| parse(&file, &trial, &text));
        match parsed {
            Ok(b) => {
                baseline.scenarios.insert(trial, Arc::new(b));
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() && baseline.scenarios.is_empty() {
        // Compared with nothing, every scenario would be new: a green run that checked no drift.
        let message = match baseline.gone.first() {
            None => "the folder holds no baseline file; record one with --record-baseline".into(),
            Some(g) => format!(
                "none of its {} baseline files is for a scenario of this run (such as {}); \
                 is it the baseline of other specs? Record one with --record-baseline",
                baseline.gone.len(),
                g.file.display()
            ),
        };
        errors.push(BaselineError::of_folder(dir, message));
    }
    if errors.is_empty() {
        Ok(baseline)
    } else {
        Err(errors)
    }
}

/// Every `*.json` file under `dir`, recursively; hidden entries (`.git`) are skipped.
fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), (PathBuf, String)> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), format!("cannot list it: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| (dir.to_path_buf(), format!("cannot list it: {e}")))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| (path.clone(), format!("cannot read it: {e}")))?;
        if kind.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            if out.len() >= MAX_FILES {
                return Err((
                    dir.to_path_buf(),
                    format!("more than {MAX_FILES} files; is this a baseline folder?"),
                ));
            }
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `baseline` to its file under `dir`, creating folders as needed;
/// returns the file.
pub fn write(dir: &Path, baseline: &ScenarioBaseline, masker: &Masker) -> Result<PathBuf, String> {
    let file = file_for(dir, &baseline.scenario)?;
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&file, to_text(baseline, masker))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ScenarioBaseline {
        ScenarioBaseline {
            format: FORMAT,
            normalisation: Rule::ALL.len(),
            scenario: "a::b".into(),
            steps: vec![StepBaseline {
                step: 1,
                name: "create".into(),
                method: "POST".into(),
                path: "/v1/sessions".into(),
                status: 201,
                headers: BTreeMap::from([("content-type".into(), "application/json".into())]),
                body: Some(serde_json::json!({"z": 1, "a": {"y": 2, "b": 3}})),
                body_text: None,
            }],
        }
    }

    #[test]
    fn a_written_baseline_has_sorted_keys_and_reads_back_the_same() {
        let text = to_text(&sample(), &Masker::default());
        assert!(text.ends_with("}\n"));
        let a = text.find("\"a\"").unwrap();
        let z = text.find("\"z\"").unwrap();
        assert!(a < z, "{text}");
        assert!(text.find("\"body\"").unwrap() < text.find("\"status\"").unwrap());
        assert_eq!(parse(Path::new("f.json"), "a::b", &text).unwrap(), sample());
    }

    #[test]
    fn hand_edits_that_break_the_file_are_errors_naming_the_file_and_place() {
        let file = Path::new("base/a/b.json");
        let e = parse(file, "a::b", "{ \"format\": 1, ").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("baseline file base/a/b.json: 1:15: "),
            "{e}"
        );
        let text = to_text(&sample(), &Masker::default());
        let e = parse(
            file,
            "a::b",
            &text.replace("\"status\": 201", "\"status\": \"201\""),
        )
        .unwrap_err();
        assert!(e.message.contains("invalid type"), "{e}");
        let e = parse(file, "a::c", &text).unwrap_err();
        assert!(e.message.contains("is for scenario `a::b`"), "{e}");
        let e = parse(file, "a::b", &text.replace("\"step\": 1", "\"step\": 3")).unwrap_err();
        assert!(e.message.contains("numbered 3"), "{e}");
        let e = parse(
            file,
            "a::b",
            &text.replace("\"format\": 1", "\"format\": 9"),
        )
        .unwrap_err();
        assert!(e.message.contains("format 9"), "{e}");
        let e = parse(file, "a::b", &text.replace("\"name\"", "\"nmae\"")).unwrap_err();
        assert!(e.message.contains("unknown field `nmae`"), "{e}");
    }

    #[test]
    fn a_trial_names_its_baseline_file_and_the_file_names_the_trial_back() {
        let dir = Path::new("baseline");
        let file = file_for(dir, "sub/submit::valid_submit").unwrap();
        assert_eq!(file, Path::new("baseline/sub/submit/valid_submit.json"));
        assert_eq!(
            trial_of(dir, &file).as_deref(),
            Some("sub/submit::valid_submit")
        );
        assert!(file_for(dir, "../up::x").is_err());
    }
}
