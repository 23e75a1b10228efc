//! The receiver suite and `verify-webhook`, as a user meets them: the binary
//! run against small test receivers. A correct receiver passes every rule;
//! a receiver with one flaw fails exactly the rule it breaks.

mod failures;
mod rules;
mod secrets;
mod setup;
mod support;
mod verify_webhook;
