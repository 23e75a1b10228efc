//! What running a scenario produced: a pass, an ignore, a failure (the API
//! does not conform) or an error (the spec, the network or the harness broke).

use std::ops::Range;
use std::time::Duration;

use crate::check::Mismatch;
use crate::exec::exchange::Exchange;

/// The step a failure or error happened in.
#[derive(Debug, Clone)]
pub struct StepInfo {
    /// 1-based position in the scenario.
    pub number: usize,
    /// The step's name.
    pub name: String,
    /// Where the step is written (byte range in the scenario's file).
    pub at: Range<usize>,
}

/// The API did not conform: every unmet expectation of one step.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The step.
    pub step: StepInfo,
    /// What was sent and received.
    pub exchange: Exchange,
    /// Every unmet expectation.
    pub mismatches: Vec<Mismatch>,
}

/// Why a run could not judge the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The spec is wrong in a way only visible when it runs (an unset variable, say).
    Spec,
    /// No response within the timeout.
    Timeout,
    /// The connection could not be made or broke.
    Network,
    /// The response could not be taken in (too large, say).
    Response,
}

impl ErrorKind {
    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Spec => "spec error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network error",
            ErrorKind::Response => "response error",
        }
    }
}

/// The spec, the network or the harness broke.
#[derive(Debug, Clone)]
pub struct RunError {
    /// What kind.
    pub kind: ErrorKind,
    /// The step, when there is one.
    pub step: Option<StepInfo>,
    /// `METHOD URL` of the request, when one was made.
    pub request_line: Option<String>,
    /// What went wrong.
    pub message: String,
    /// Where in the spec it points (byte range), when it does.
    pub at: Option<Range<usize>>,
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every expectation of every step was met.
    Passed,
    /// Not run, and why.
    Ignored(String),
    /// The API did not conform.
    Failed(Box<Failure>),
    /// The run could not judge the API.
    Errored(Box<RunError>),
}

/// An outcome and what it cost.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The outcome.
    pub outcome: Outcome,
    /// Every exchange made, in order.
    pub exchanges: Vec<Exchange>,
    /// Wall time of the scenario.
    pub duration: Duration,
}
