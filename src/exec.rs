//! Execution: fill in, sign and send each step's request, record the
//! exchange, run the checks over it, and keep captures for later steps; or
//! await a webhook and check it the same way (`webhook.rs`).

pub mod executor;
pub mod http;
pub mod request;
pub mod run_values;
pub mod target;
pub mod throttle;
pub mod webhook;
