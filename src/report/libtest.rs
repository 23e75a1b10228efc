//! libtest output: one trial per scenario, whose verdict is read from the
//! scenario's result. A trial runs nothing: it is handed its result, either
//! at once (a saved result) or as the run delivers it.

use std::sync::Arc;

use libtest_mimic::{Completion, Failed, Trial};

use super::message;
use crate::mask::Masker;
use crate::results::{Outcome, ScenarioResult};

/// Hands a trial its scenario's result, waiting for the run to deliver it if
/// need be; `Err` says why there is none (the harness broke).
pub type Pending = Box<dyn FnOnce() -> Result<Arc<ScenarioResult>, String> + Send>;

/// The trial of one scenario, flagged ignored for libtest when `ignored` says why.
///
/// ```
/// use std::sync::Arc;
/// use veriff_conformance::mask::Masker;
/// use veriff_conformance::report::libtest::trial;
/// use veriff_conformance::results::{Outcome, ScenarioResult};
/// use veriff_conformance::spec::source::SourceFile;
///
/// let file = SourceFile::new("a.yaml", "a.yaml", "name: x\n");
/// let result = Arc::new(ScenarioResult::without_steps("a::x", file, Outcome::Passed));
/// let t = trial("a::x".into(), None, Box::new(move || Ok(result)), Masker::default());
/// assert_eq!(t.name(), "a::x");
/// assert!(!t.has_ignored_flag());
/// ```
pub fn trial(name: String, ignored: Option<&str>, pending: Pending, masker: Masker) -> Trial {
    Trial::ignorable_test(name, move || {
        let result = pending().map_err(Failed::from)?;
        verdict(&result, &masker)
    })
    .with_ignored_flag(ignored.is_some())
}

/// What libtest is told of a result: completed, ignored with its reason, or
/// failed with the message of the failure or error.
pub fn verdict(result: &ScenarioResult, masker: &Masker) -> Result<Completion, Failed> {
    match &result.outcome {
        Outcome::Passed => Ok(Completion::Completed),
        Outcome::Ignored(reason) => Ok(Completion::ignored_with(reason.clone())),
        Outcome::Failed(_) | Outcome::Errored(_) => Err(Failed::from(
            message::of(result, masker).unwrap_or_default(),
        )),
    }
}
