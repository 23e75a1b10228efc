//! One libtest trial per scenario, and the record of what each one did (for JUnit).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use libtest_mimic::{Completion, Failed, Trial};

use super::mask::Masker;
use super::message;
use crate::exec::outcome::{ErrorKind, Outcome};
use crate::exec::runner::Runner;
use crate::spec::model::Scenario;

/// How a trial ended, as JUnit distinguishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Passed.
    Passed,
    /// Not run; the reason.
    Skipped(String),
    /// The API does not conform; the message.
    Failure(String),
    /// The spec, the network or the harness broke: which, and the message.
    Error(ErrorKind, String),
}

/// One trial's record.
#[derive(Debug, Clone)]
pub struct Record {
    /// The trial name.
    pub name: String,
    /// The spec file it comes from.
    pub file: String,
    /// How it ended.
    pub verdict: Verdict,
    /// How long it took.
    pub duration: Duration,
}

/// Records shared between the trials (which run on libtest's threads) and the reporters.
#[derive(Debug, Clone, Default)]
pub struct Records(Arc<Mutex<Vec<Record>>>);

impl Records {
    /// Adds a record.
    pub fn push(&self, record: Record) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    /// Every record so far, sorted by trial name.
    pub fn snapshot(&self) -> Vec<Record> {
        let mut records = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        records.sort_by(|a, b| a.name.cmp(&b.name));
        records
    }
}

/// Everything the trials share.
#[derive(Debug, Clone)]
pub struct TrialContext {
    /// The runner (one HTTP client for the run).
    pub runner: Arc<Runner>,
    /// The runtime the requests run on.
    pub runtime: tokio::runtime::Handle,
    /// Hides secrets in messages.
    pub masker: Masker,
    /// Where outcomes are recorded.
    pub records: Records,
}

/// The trial of one scenario: it runs the scenario and turns the outcome into
/// libtest's terms, recording it on the way.
pub fn trial(scenario: Scenario, cx: TrialContext) -> Trial {
    let name = scenario.trial_name.clone();
    let ignored = cx.runner.ignores(&scenario);
    Trial::ignorable_test(name, move || {
        let result = cx.runtime.block_on(cx.runner.run(&scenario));
        let file = &scenario.file;
        let verdict = match &result.outcome {
            Outcome::Passed => Verdict::Passed,
            Outcome::Ignored(reason) => Verdict::Skipped(reason.clone()),
            Outcome::Failed(f) => Verdict::Failure(message::failure(file, f, &cx.masker)),
            Outcome::Errored(e) => Verdict::Error(e.kind, message::error(file, e, &cx.masker)),
        };
        cx.records.push(Record {
            name: scenario.trial_name.clone(),
            file: file.name.clone(),
            verdict: verdict.clone(),
            duration: result.duration,
        });
        match verdict {
            Verdict::Passed => Ok(Completion::Completed),
            Verdict::Skipped(reason) => Ok(Completion::ignored_with(reason)),
            Verdict::Failure(text) | Verdict::Error(_, text) => Err(Failed::from(text)),
        }
    })
    .with_ignored_flag(ignored)
}
