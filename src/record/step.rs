//! Which step of a scenario an exchange, a failure or a finding belongs to.

use std::ops::Range;

/// A step of a scenario: its place, its name, where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInfo {
    /// 1-based position in the scenario.
    pub number: usize,
    /// The step's name.
    pub name: String,
    /// Where the step is written (byte range in the scenario's file).
    pub at: Range<usize>,
}
