//! One owner of a run: load the scenarios, plan which run, execute them on
//! one async runtime, hand each result to the reports, and decide the exit
//! status. The command line only turns arguments into [`Options`].
//!
//! ```no_run
//! use std::process::ExitCode;
//! use veriff_conformance::{Options, run};
//!
//! // The built-in suite against the embedded mock, as `veriff-conformance run` does.
//! let status: ExitCode = run(Options::default());
//! ```

mod outputs;
pub mod plan;
mod preflight;
pub mod schedule;
pub mod setup;
mod stages;
mod trials;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use libtest_mimic::Arguments;

use crate::drift::DriftOptions;
use crate::exec::run_values::RunValue;
use crate::exec::throttle::Rate;
use crate::scenario::discover::Suite;
pub use plan::{NoTests, Partition};
pub use setup::{Setup, TargetOptions, webhook_urls};

/// Exit status for usage, configuration and spec errors.
pub const EXIT_USAGE: u8 = 2;

/// Scenarios in flight at once, by default.
pub const DEFAULT_JOBS: usize = 16;

/// The most scenarios in flight at once that `--jobs` takes.
pub const MAX_JOBS: usize = 4096;

/// Everything a run needs, as the user asked for it.
#[derive(Debug)]
pub struct Options {
    /// Spec files or folders; empty for the suite compiled into the binary.
    pub paths: Vec<PathBuf>,
    /// Where to send requests, and with what credentials.
    pub target: TargetOptions,
    /// libtest's own options: filters, `--list`, `--ignored`, output format…
    pub libtest: Arguments,
    /// Write a JUnit XML report here.
    pub junit: Option<PathBuf>,
    /// Scenarios in flight at once.
    pub jobs: usize,
    /// The cap on requests per second (`--rate`); `None` for the default:
    /// unlimited on loopback, [`crate::exec::throttle::DEFAULT_REMOTE_RATE`] elsewhere.
    pub rate: Option<Rate>,
    /// Baselines: record, compare, deny, report.
    pub drift: DriftOptions,
    /// Run only this shard of the trials (`--partition`).
    pub partition: Option<Partition>,
    /// What to do when the filters select no scenario (`--no-tests`).
    pub no_tests: NoTests,
    /// Keep the exchanges of scenarios that passed in the results (a report
    /// that reads them needs this); by default only failures keep theirs.
    pub keep_exchanges: bool,
    /// Where to listen for webhooks (`--webhook-listen`, e.g. `0.0.0.0:8090`),
    /// for the scenarios that await them; the embedded mock gets a receiver
    /// on a free loopback port without it.
    pub webhook_listen: Option<String>,
    /// The embedded suite to run when `paths` is empty.
    pub suite: Suite,
    /// Values the scenarios read as `${run.NAME}` besides `run.base_url`; a
    /// scenario that requires one the run lacks is ignored.
    pub run_values: Vec<RunValue>,
    /// An answer slower than this is a warning (`None`: no budget).
    pub answer_budget: Option<Duration>,
    /// The receiver suite's URLs, each with the flag that gave it: before
    /// the first scenario, each must accept a connection.
    pub receiver_urls: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: Vec::new(),
            target: TargetOptions {
                timeout: Duration::from_secs(30),
                ..TargetOptions::default()
            },
            libtest: Arguments::default(),
            junit: None,
            jobs: DEFAULT_JOBS,
            rate: None,
            drift: DriftOptions::default(),
            partition: None,
            no_tests: NoTests::Fail,
            keep_exchanges: false,
            webhook_listen: None,
            suite: Suite::Api,
            run_values: Vec::new(),
            answer_budget: None,
            receiver_urls: Vec::new(),
        }
    }
}

/// Prints a usage or configuration error and returns exit status 2.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Runs the scenarios as the options say and returns the exit status: 0 when
/// all pass, 101 when one fails, 2 for usage, configuration and spec errors.
pub fn run(options: Options) -> ExitCode {
    match stages(options) {
        Ok(status) | Err(status) => status,
    }
}

/// The stages of a run, in order; each stage that can end the run returns
/// its exit status as `Err`.
fn stages(options: Options) -> Result<ExitCode, ExitCode> {
    use stages::*;
    check_outputs(&options)?;
    let loaded = load(&options)?;
    let scenarios = scenarios(loaded.scenarios);
    let planned = planned(&options)?;
    let baseline = read_baseline(&options, &planned, &scenarios)?;
    let plan = plan(&options, &planned, &scenarios)?;
    let mut prepared = set_up(&options)?;
    preflight(&options, &prepared, &plan)?;
    let trials = schedule(&options, &prepared, &scenarios, &plan, baseline.clone());
    let conclusion = libtest_mimic::run(&options.libtest, trials.trials);
    prepared.shut_down();
    if options.libtest.list {
        return Ok(conclusion.exit_code());
    }
    let results = collect(
        trials.collected,
        &plan,
        &scenarios,
        loaded.errors,
        baseline.as_deref(),
        &prepared,
    );
    report(&options, &prepared, &results, &scenarios)?;
    Ok(exit_status(&results, &conclusion))
}
