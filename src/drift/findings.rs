//! Drift as data: how one scenario's exchanges differ from a recorded
//! baseline (`run --baseline DIR`), each change classified by Veriff's
//! "Backwards compatible changes" rules. The comparing is in [`crate::drift`];
//! this module only holds what it found, for the reports.

use std::path::PathBuf;

use crate::record::exchange::StepInfo;

/// Whether a change may break a client, by Veriff's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DriftClass {
    /// Veriff may make it without notice (a new field or header, another
    /// order, an opaque string of another length or format): reported, and
    /// fails nothing unless the run denies drift (`--deny-drift`).
    Compatible,
    /// A client may break (a field gone, another type, status, code or enum
    /// value, a documented header gone): the scenario fails.
    Breaking,
}

impl DriftClass {
    /// The name reports show.
    pub fn name(self) -> &'static str {
        match self {
            DriftClass::Compatible => "compatible",
            DriftClass::Breaking => "breaking",
        }
    }
}

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Another status code.
    StatusChanged,
    /// A response header the baseline did not have.
    HeaderAdded,
    /// A header of the baseline is gone.
    HeaderRemoved,
    /// A recorded header value changed.
    HeaderChanged,
    /// A body field the baseline did not have.
    FieldAdded,
    /// A body field of the baseline is gone.
    FieldRemoved,
    /// A value has another JSON type.
    TypeChanged,
    /// A non-opaque value (`status`, `code`, an enum value) changed.
    ValueChanged,
    /// An opaque string (an id, a token, a message) changed.
    OpaqueChanged,
    /// An array has more items.
    ItemAdded,
    /// An array has fewer items.
    ItemRemoved,
    /// A body that is not JSON changed.
    TextChanged,
    /// The step's request (method or path template) is not the recorded one:
    /// the spec changed, so its response is not compared.
    RequestChanged,
    /// The scenario has a step the baseline does not.
    StepAdded,
    /// A step of the baseline did not run.
    StepGone,
}

impl ChangeKind {
    /// The name reports show.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::StatusChanged => "status changed",
            ChangeKind::HeaderAdded => "header added",
            ChangeKind::HeaderRemoved => "header removed",
            ChangeKind::HeaderChanged => "header changed",
            ChangeKind::FieldAdded => "field added",
            ChangeKind::FieldRemoved => "field removed",
            ChangeKind::TypeChanged => "type changed",
            ChangeKind::ValueChanged => "value changed",
            ChangeKind::OpaqueChanged => "opaque value changed",
            ChangeKind::ItemAdded => "item added",
            ChangeKind::ItemRemoved => "item removed",
            ChangeKind::TextChanged => "text changed",
            ChangeKind::RequestChanged => "request changed",
            ChangeKind::StepAdded => "step added",
            ChangeKind::StepGone => "step gone",
        }
    }
}

/// One change: where, what kind, and the values before and after (normalised,
/// as the baseline records them; `absent` when there is none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    /// Compatible or breaking.
    pub class: DriftClass,
    /// What kind of change.
    pub kind: ChangeKind,
    /// `status`, a header name, or a JSON path (`$.verification.status`).
    pub path: String,
    /// The baseline's value (JSON text), or `absent`.
    pub before: String,
    /// This run's value (JSON text), or `absent`.
    pub after: String,
}

/// The changes of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDrift {
    /// The step (its place in the spec; for a step gone from the spec, only
    /// its number and name from the baseline).
    pub step: StepInfo,
    /// `METHOD /path/${template}` of the step.
    pub request: String,
    /// Every change, in order: status, headers, body.
    pub changes: Vec<Change>,
}

/// How one scenario compares with the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDrift {
    /// The scenario's baseline file.
    pub file: PathBuf,
    /// The baseline has no file for this scenario: it is new, and not compared.
    pub new: bool,
    /// The steps with changes, in order.
    pub steps: Vec<StepDrift>,
}

impl ScenarioDrift {
    /// Every change, with its step.
    pub fn changes(&self) -> impl Iterator<Item = (&StepDrift, &Change)> {
        self.steps
            .iter()
            .flat_map(|s| s.changes.iter().map(move |c| (s, c)))
    }

    /// How many changes of this class.
    pub fn count(&self, class: DriftClass) -> usize {
        self.changes().filter(|(_, c)| c.class == class).count()
    }
}

/// A baseline file whose scenario no longer exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gone {
    /// The trial name the file is for.
    pub trial: String,
    /// The file.
    pub file: PathBuf,
}

/// What the run compared with, beyond each scenario's own drift.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunDrift {
    /// The baseline folder.
    pub dir: PathBuf,
    /// Baseline files with no scenario.
    pub gone: Vec<Gone>,
    /// What the run was against, for people: the base URL's scheme and host
    /// (never its credentials or path), or `the embedded mock`.
    pub target: String,
}

/// One distinct change of a run and where it was seen: every change with
/// the same class, kind, path, and before and after values (normalised, so
/// that the same change seen in many scenarios is one group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeGroup {
    /// The change.
    pub change: Change,
    /// How many times it was seen, over every scenario and step.
    pub count: usize,
    /// The scenarios it was seen in, each once, in the order given.
    pub scenarios: Vec<String>,
}

/// The distinct changes among `changes` (each with the name of the scenario
/// it was seen in): breaking first, then the most frequent, then by kind,
/// path and values.
///
/// ```
/// use veriff_conformance::{Change, ChangeKind, DriftClass, group_changes};
///
/// let gone = Change {
///     class: DriftClass::Breaking,
///     kind: ChangeKind::FieldRemoved,
///     path: "$.verification.host".into(),
///     before: "\"${run.base_url}\"".into(),
///     after: "absent".into(),
/// };
/// let groups = group_changes([("a::x", &gone), ("b::y", &gone), ("b::y", &gone)]);
/// assert_eq!(groups.len(), 1);
/// assert_eq!(groups[0].count, 3);
/// assert_eq!(groups[0].scenarios, ["a::x", "b::y"]);
/// ```
pub fn group_changes<'a>(
    changes: impl IntoIterator<Item = (&'a str, &'a Change)>,
) -> Vec<ChangeGroup> {
    let mut index: std::collections::HashMap<&Change, usize> = std::collections::HashMap::new();
    let mut groups: Vec<ChangeGroup> = Vec::new();
    for (scenario, change) in changes {
        let at = *index.entry(change).or_insert_with(|| {
            groups.push(ChangeGroup {
                change: change.clone(),
                count: 0,
                scenarios: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        group.count += 1;
        if !group.scenarios.iter().any(|s| s == scenario) {
            group.scenarios.push(scenario.to_string());
        }
    }
    groups.sort_by(|a, b| {
        let key = |g: &ChangeGroup| {
            let c = &g.change;
            (
                std::cmp::Reverse(c.class),
                std::cmp::Reverse(g.count),
                c.kind.name(),
                c.path.clone(),
                c.before.clone(),
                c.after.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    groups
}
