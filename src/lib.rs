//! veriff-conformance: a contract and conformance test harness for Veriff's
//! identity-verification session API.
//!
//! Data flows one way, each layer importing only those below it:
//!
//! - [`cli`] turns arguments into options for [`run`], which owns a run:
//!   load, plan, execute, compare with a baseline, then hand the results to
//!   the reports;
//! - [`report`] reads results (libtest, JUnit, Markdown) and runs nothing;
//! - [`exec`] fills in, signs and sends each step's request;
//! - [`drift`] compares a scenario's result with its recorded baseline;
//! - [`results`] is the data a run produces: outcomes, masked exchanges, and
//!   the findings of the checks (mismatches, warnings) and of drift;
//! - [`check`] holds pure functions over a recorded exchange (captures too);
//! - [`record`] (exchanges and variables), [`scenario`] (the model loaded from
//!   YAML, with source spans), [`jsonpath`], [`mask`] and [`signing`] are
//!   the data and helpers everything above shares.
//!
//! [`mock`] is an embedded, stateful mock of the API, beside the rest.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod drift;
pub mod exec;
pub mod jsonpath;
pub mod mask;
pub mod mock;
pub mod record;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
pub mod signing;
