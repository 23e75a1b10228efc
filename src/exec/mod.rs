//! Execution: fill in, sign and send each step's request, record the exchange,
//! hand it to the checks, and keep captures for later steps.

pub mod env;
pub mod exchange;
pub mod outcome;
pub mod request;
pub mod runner;
pub mod target;
