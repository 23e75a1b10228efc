//! veriff-conformance: a contract and conformance test harness for Veriff's
//! identity-verification session API.
//!
//! The library behind the `veriff-conformance` binary. Its public API is
//! re-exported here, at the crate root; the modules are private, so that
//! moving a file breaks no user and no test. Two namespaces stay public:
//! [`mock`], the embedded mock of the API, and [`signing`], Veriff's
//! signature primitives.
//!
//! ```no_run
//! use std::process::ExitCode;
//! use veriff_conformance::{Options, run};
//!
//! // The built-in suite against the embedded mock, as `veriff-conformance run` does.
//! let status: ExitCode = run(Options::default());
//! ```
//!
//! Data flows one way, each layer importing only those below it: the command
//! line turns arguments into [`Options`] for [`run`], which loads the
//! scenarios, plans, executes them, compares them with a baseline and hands
//! the results to the reports. The layout, for contributors, is in
//! `docs/architecture.md`.
#![forbid(unsafe_code)]

mod check;
mod cli;
mod drift;
mod duration_text;
mod exec;
mod http_server;
mod inbox;
mod jsonpath;
mod mask;
pub mod mock;
mod openapi;
mod patterns;
mod receiver;
mod record;
mod report;
mod results;
mod run;
mod scenario;
pub mod signing;
mod tls;

// Running: the command line, a whole run, and its parts.
pub use cli::main;
pub use exec::executor::Executor;
pub use exec::http::{MAX_RETRIES, MAX_RETRY_DELAY};
pub use exec::run_values::{Given, RunValue};
pub use exec::target::{MAX_RESPONSE_BYTES, Target};
pub use exec::throttle::{DEFAULT_REMOTE_RATE, Rate};
pub use run::plan::ignores;
pub use run::schedule::{Delivery, Finish, Lost, start as schedule};
pub use run::{
    DEFAULT_JOBS, EXIT_USAGE, MAX_JOBS, NoTests, Options, Partition, Setup, TargetOptions, run,
    webhook_urls,
};

// The OpenAPI document of Veriff's API.
pub use openapi::{OpenApiFormat, openapi_document};
// TLS: rustls on ring, installed once for every client.
pub use tls::install_crypto_provider;

// Webhooks: the receiver a run starts, and what arrived.
pub use inbox::kind::WebhookKind;
pub use inbox::listen::{
    BODY_TIMEOUT, HEADER_TIMEOUT, MAX_RECEIVER_CONNECTIONS, MAX_WEBHOOK_BYTES, WebhookReceiver,
};
pub use inbox::store::{DEFAULT_INBOX_CAPACITY, Inbox, Webhook};

// Webhook receivers: the receiver suite's inputs, and one delivery checked.
pub use receiver::ReceiverUrls;
pub use receiver::verify::{
    CapturedDelivery, MAX_DELIVERY_BYTES, Verdict, WebhookRule, verify_delivery,
};

// Loading: scenario files into the scenario model.
pub use scenario::discover::{Loaded, Suite, load_embedded, load_paths, load_suite};
pub use scenario::error::SpecError;
pub use scenario::load::Loader;
pub use scenario::model::*;
pub use scenario::source::{Files, MAX_FILE_BYTES, SourceFile};

// Results: what a run records and finds.
pub use check::{CheckKind, Mismatch, Warning};
pub use record::exchange::{Exchange, Response, SentRequest, StepInfo};
pub use results::{
    Attempts, ErrorKind, Failure, GroupPlace, Outcome, Polling, Retry, RunError, RunResults,
    ScenarioResult, StepFindings, StepResult,
};

// Drift: a run compared with a recorded baseline.
pub use drift::baseline::{Baseline, ScenarioBaseline, StepBaseline};
pub use drift::findings::{
    Change, ChangeGroup, ChangeKind, DriftClass, Gone, RunDrift, ScenarioDrift, StepDrift,
    group_changes,
};
pub use drift::normalize::Rule;
pub use drift::snapshot::record as snapshot;
pub use drift::{DriftOptions, Ran, compare_with, target_name};

// Reports: read from the results, never running anything.
pub use duration_text::duration_text;
pub use mask::{Masker, secret_forms};
pub use report::libtest::{Pending, skipped_trial, trial};
pub use report::markdown::render_within as markdown_within;
pub use report::message;
pub use report::text::excerpt;
pub use report::{Format, print_notes, write as write_report};
