//! The runner: scenarios loaded from YAML text and run against wiremock (or a
//! hand-written server), judged by what the server received and answered.

mod checks;
mod errors;
mod parallel;
mod politeness;
mod requests;
mod retry;
mod signing;
mod support;
mod webhooks;
