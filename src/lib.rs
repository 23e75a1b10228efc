//! veriff-conformance: a contract and conformance test harness for Veriff's
//! identity-verification session API.
//!
//! Data flows one way: [`spec`] loads YAML scenarios, [`exec`] signs and sends
//! their requests and records each exchange, [`check`] compares the recorded
//! exchanges with the expectations, and [`report`] turns the outcomes into
//! libtest trials and JUnit. [`mock`] is an embedded, stateful mock of the API.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod exec;
pub mod mock;
pub mod report;
pub mod signing;
pub mod spec;
