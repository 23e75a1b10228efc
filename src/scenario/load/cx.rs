//! The file being loaded: turning YAML locations into byte ranges, finding
//! text to point at, and collecting the errors found.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::scenario::error::SpecError;
use crate::scenario::model::JsonTemplate;
use crate::scenario::raw::{self, Loc, Spanned};
use crate::scenario::source::SourceFile;
use crate::scenario::template::Template;

/// One spec file while it is being loaded, and the errors found in it so far.
pub(super) struct FileCx<'a> {
    pub(super) file: &'a Arc<SourceFile>,
    pub(super) errors: Vec<SpecError>,
    /// The run values the caller of the run declares, beyond `base_url`
    /// (see [`crate::scenario::load::Loader::with_run_values`]).
    pub(super) run_values: &'a [String],
    /// The bodies built so far, by a hash of their tree: a body written
    /// again shares the first one's tree.
    pub(super) bodies: HashMap<u64, Vec<Arc<JsonTemplate>>>,
    /// The templates parsed so far, by their text: a text written again
    /// shares the first one's parts.
    pub(super) templates: HashMap<Box<str>, Template>,
}

impl<'a> FileCx<'a> {
    pub(super) fn new(file: &'a Arc<SourceFile>, run_values: &'a [String]) -> Self {
        FileCx {
            file,
            errors: Vec::new(),
            run_values,
            bodies: HashMap::new(),
            templates: HashMap::new(),
        }
    }

    /// Whether `${run.NAME}` names a run value here.
    pub(super) fn is_run_value(&self, name: &str) -> bool {
        crate::scenario::template::RUN_VARIABLES.contains(&name)
            || self.run_values.iter().any(|v| v == name)
    }

    /// Every run value name known here, for help texts.
    pub(super) fn run_value_names(&self) -> String {
        list(
            crate::scenario::template::RUN_VARIABLES
                .iter()
                .map(|n| n.to_string())
                .chain(self.run_values.iter().cloned())
                .map(|n| format!("run.{n}")),
        )
    }

    /// The byte range a YAML location stands for.
    pub(super) fn range(&self, loc: &Loc) -> Range<usize> {
        if let Some((offset, len)) = loc.bytes() {
            let start = offset.min(self.file.text.len());
            let len = len.max(1);
            return self.file.snap(start..start.saturating_add(len));
        }
        let line = usize::try_from(loc.line()).unwrap_or(1);
        let col = usize::try_from(loc.column()).unwrap_or(1);
        let offset = self.file.offset_of(line, col).unwrap_or(0);
        self.file.token_at(offset)
    }

    /// Records an error at `at`; an empty `help` adds no help line.
    pub(super) fn error(
        &mut self,
        at: Range<usize>,
        message: impl Into<String>,
        label: &str,
        help: &str,
    ) {
        let mut err = SpecError::at(self.file, at, message).with_label(label);
        if !help.is_empty() {
            err = err.with_help(help);
        }
        self.errors.push(err);
    }

    /// Records an error that is already built (one with a second location, say).
    pub(super) fn push(&mut self, err: SpecError) {
        self.errors.push(err);
    }

    /// The range of `needle` at or after `from`, or `fallback`.
    pub(super) fn find(&self, from: usize, needle: &str, fallback: Range<usize>) -> Range<usize> {
        self.file
            .text
            .get(from..)
            .and_then(|rest| rest.find(needle))
            .map(|i| from + i..from + i + needle.len())
            .unwrap_or(fallback)
    }

    /// The range of a mapping key `key` at or after `from`: the name standing
    /// alone (not inside a longer word or a value), optionally quoted, followed by `:`.
    pub(super) fn find_key(&self, from: usize, key: &str, fallback: Range<usize>) -> Range<usize> {
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

/// `a`, `b`: each item in backticks, joined with commas.
pub(super) fn list(items: impl Iterator<Item = String>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sorts the entries of a YAML map back into the order they were written.
pub(super) fn in_order<V>(map: raw::SpannedMap<V>) -> Vec<(Spanned<String>, V)> {
    let mut entries = map.0;
    entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    entries
}
