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

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::Arguments;

use crate::drift::baseline::Baseline;
use crate::drift::{self, DriftOptions};
use crate::exec::executor::Executor;
use crate::exec::run_values::RunValue;
use crate::exec::throttle::Rate;
use crate::mask::Masker;
use crate::report::{self, Format, libtest};
use crate::results::{Outcome, RunResults, ScenarioResult};
use crate::scenario::discover::{Loaded, Suite, load_paths, load_suite};
use crate::scenario::load::Loader;
use crate::scenario::model::Scenario;
use crate::scenario::source::Files;
use plan::Plan;
pub use plan::{NoTests, Partition};
use schedule::Finish;
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
    // Every file the run writes, checked before anything is sent.
    let files: Vec<(&str, &Path)> = [
        ("--junit", options.junit.as_deref()),
        ("--drift-report", options.drift.report.as_deref()),
        (
            "--logfile",
            options.libtest.logfile.as_deref().map(Path::new),
        ),
    ]
    .into_iter()
    .filter_map(|(flag, path)| Some((flag, path?)))
    .collect();
    // A listing writes only to libtest's --logfile.
    let checked = if options.libtest.list {
        let logfile: Vec<(&str, &Path)> = files
            .iter()
            .copied()
            .filter(|(flag, _)| *flag == "--logfile")
            .collect();
        outputs::check(&logfile, None)
    } else {
        outputs::check(&files, options.drift.record.as_deref())
    };
    if let Err(e) = checked {
        return usage_error(e);
    }
    let loaded: Loaded = if options.paths.is_empty() {
        let names = options.run_values.iter().map(|v| v.name.clone());
        load_suite(
            options.suite,
            &Loader::new(Files::Embedded).with_run_values(names),
        )
    } else {
        load_paths(&options.paths)
    };
    // Every secret the user gave is hidden from every output, whatever the target.
    let given = Masker::new([
        options.target.api_key.as_deref().unwrap_or(""),
        options.target.shared_secret.as_deref().unwrap_or(""),
    ]);
    for error in &loaded.errors {
        eprintln!("{}\n", given.mask(&error.render_for_terminal()));
    }
    if loaded.scenarios.is_empty() {
        // Nothing to run: report the load errors (in JUnit too, so that CI never
        // reads a report left from an earlier run) and stop.
        if loaded.errors.is_empty() {
            eprintln!("error: no scenarios found");
        }
        let results = RunResults {
            scenarios: Vec::new(),
            load_errors: loaded.errors,
            drift: None,
            setup_error: None,
        };
        if let Some(path) = &options.junit
            && let Err(e) = report::write(Format::Junit, path, &results, &given)
        {
            return usage_error(e);
        }
        return ExitCode::from(EXIT_USAGE);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage_error(format!("cannot start the async runtime: {e}")),
    };
    let listing = options.libtest.list;
    // Everything that can be checked without starting anything (the embedded
    // mock, the webhook receiver) is checked first, so that its error is the
    // first line: the target as planned, the baseline, the filters.
    let planned = match options.target.for_listing() {
        Ok(target) => target,
        Err(e) => return usage_error(e),
    };
    let embedded_mock = !listing && options.target.base_url.as_deref().is_none_or(str::is_empty);
    // A `--list` run has no receiver, yet lists webhook scenarios as a run with one would.
    let has_receiver = embedded_mock || options.webhook_listen.is_some();
    let mut scenarios: Vec<Arc<Scenario>> = loaded.scenarios.into_iter().map(Arc::new).collect();
    // Collected in place, the vector kept the capacity of as many whole scenarios.
    scenarios.shrink_to_fit();
    // Drift: the baseline is read before anything runs; an unusable file stops the run.
    let trial_names: Vec<&str> = scenarios.iter().map(|s| s.trial_name.as_str()).collect();
    let baseline = match drift::load(&options.drift, &trial_names) {
        Ok(b) => b.map(Arc::new),
        // A hand-edited file may hold anything, a secret too.
        Err(e) => return setup_failed(&options, &given, given.mask(&e)),
    };
    // A baseline compares with, and a recording replaces, only the same kind of target.
    let against = drift::RecordedAgainst::of(&planned.base_url, embedded_mock);
    if !listing {
        match drift::check_target(&options.drift, &against) {
            Ok(warnings) => warnings
                .iter()
                .for_each(|w| eprintln!("warning: {}", given.mask(w))),
            Err(e) => return setup_failed(&options, &given, given.mask(&e)),
        }
    }
    let plan = Plan::new(
        &scenarios,
        &planned,
        has_receiver,
        &options.run_values,
        &options.libtest,
        options.partition,
    );
    if let Some(partition) = options.partition
        && !options.libtest.quiet
    {
        // On standard error, so that `--format json` output stays JSON.
        let here = plan.to_run.len() + plan.skipped.len();
        eprintln!(
            "partition {partition}: {here} of {} trials in this shard, {} in the others",
            here + plan.other_shards,
            plan.other_shards
        );
    }
    // A run that would compare nothing: no scenario selected, or every one
    // selected ignored (in a whole run; an empty shard of --partition is fine).
    let nothing = if listing {
        None
    } else if plan.selected == 0 {
        Some(format!(
            "no scenario matches {} (out of {} loaded)",
            plan::describe_filters(&options.libtest),
            scenarios.len()
        ))
    } else if plan.to_run.is_empty() && options.partition.is_none() {
        let reason = plan
            .skipped
            .first()
            .map(|(_, why)| why.clone())
            .or_else(|| plan.ignored.iter().flatten().next().cloned())
            .unwrap_or_default();
        Some(format!(
            "every scenario selected ({}) is ignored, so nothing would be compared; the first says: {reason}",
            plan.selected
        ))
    } else {
        None
    };
    if let Some(what) = nothing {
        match options.no_tests {
            NoTests::Fail => {
                return setup_failed(
                    &options,
                    &given,
                    format!(
                        "{what}; see the names with --list, or allow an empty run with --no-tests=warn or --no-tests=pass"
                    ),
                );
            }
            NoTests::Warn => eprintln!("warning: {what} (--no-tests=warn)"),
            NoTests::Pass => {}
        }
    }
    let resolved = if listing {
        options.target.for_listing().map(|target| setup::Setup {
            target,
            mock: None,
            receiver: None,
        })
    } else {
        runtime.block_on(options.target.resolve(options.webhook_listen.as_deref()))
    };
    let setup = match resolved {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let target = setup.target.clone();
    if embedded_mock && !options.libtest.quiet {
        // On standard error, so that `--format json` output stays JSON.
        eprintln!("target: embedded mock at {}", target.base_url);
    }
    if let Some(receiver) = &setup.receiver
        && !options.libtest.quiet
    {
        eprintln!("webhooks: receiving at {}", receiver.url());
    }
    // A baseline compares, and a recording keeps, every step of a passed scenario.
    let keep_exchanges = options.keep_exchanges
        || options.drift.record.is_some()
        || options.drift.baseline.is_some();
    // A listing never builds the HTTP client: it sends nothing.
    let runner = Executor::unconnected(target);
    if !listing && let Err(e) = runner.client() {
        return usage_error(e);
    }
    let runner = match &setup.receiver {
        Some(receiver) => runner.awaiting_webhooks(receiver.inbox().clone(), receiver.url()),
        None => runner,
    }
    .keeping_passed_steps(keep_exchanges)
    .with_run_values(options.run_values.clone());
    let runner = match options.answer_budget {
        Some(budget) => runner.with_answer_budget(budget),
        None => runner,
    };
    let runner = Arc::new(match options.rate {
        Some(rate) => runner.with_rate(rate),
        None => runner,
    });
    if let (Rate::PerSecond(n), false) = (runner.rate(), options.libtest.quiet || listing) {
        eprintln!("rate: at most {n} requests a second (--rate)");
    }
    let masker = runner.masker().also(&given);
    let base_url = runner.target().base_url.clone();

    // One request that changes nothing tells a set-up problem from an API problem
    // (of the session API: the receiver suite's URLs are webhook receivers).
    if !listing && setup.mock.is_none() && !plan.to_run.is_empty() {
        let target = runner.target();
        let checked = match options.suite {
            Suite::Api => runner
                .client()
                .and_then(|client| runtime.block_on(preflight::check(client, target))),
            // A receiver is only connected to: it sees nothing but deliveries.
            Suite::Receiver => {
                runtime.block_on(preflight::reachable(&target.base_url, target.timeout))
            }
        };
        if let Err(e) = checked {
            return setup_failed(&options, &masker, masker.mask(&e));
        }
    }
    let deliveries = if listing {
        Vec::new()
    } else {
        schedule::start(
            runtime.handle(),
            Arc::clone(&runner),
            plan.to_run
                .iter()
                .map(|&i| Arc::clone(&scenarios[i]))
                .collect(),
            options.jobs,
            finisher(baseline.clone(), base_url.clone(), options.drift.deny),
            // With a baseline alone, the runner kept every step for the
            // finisher to compare; the plain ones are dropped after it.
            options.keep_exchanges || options.drift.record.is_some(),
        )
    };
    let collected = schedule::Collected::default();
    let mut slots: Vec<Option<schedule::Delivery>> = scenarios.iter().map(|_| None).collect();
    for (&i, delivery) in plan.to_run.iter().zip(deliveries) {
        slots[i] = Some(delivery);
    }
    let skipped: std::collections::HashMap<usize, &String> =
        plan.skipped.iter().map(|(i, why)| (*i, why)).collect();
    let trials = plan
        .trials
        .iter()
        .map(|&i| {
            if let Some(why) = skipped.get(&i) {
                // Skipped, and its reason shown beside `ignored`.
                return libtest::skipped_trial(scenarios[i].trial_name.clone(), masker.mask(why));
            }
            let (scenario, delivery) = (Arc::clone(&scenarios[i]), slots[i].take());
            let ignored = plan.ignored[i].clone();
            let collected = collected.clone();
            let name = scenario.trial_name.clone();
            // libtest shows the message under the trial's name.
            let pending: libtest::Pending = Box::new(move || {
                let result = match (delivery, ignored) {
                    (Some(rx), _) => rx.recv().map_err(|lost| format!("harness error: {lost}"))?,
                    // Run by `--include-ignored`: the reason, and nothing sent.
                    (None, Some(reason)) => Arc::new(ScenarioResult::without_steps(
                        scenario.trial_name.clone(),
                        Arc::clone(&scenario.file),
                        Outcome::Ignored(reason),
                    )),
                    (None, None) => {
                        return Err("harness error: this scenario was not started".into());
                    }
                };
                collected.push(Arc::clone(&result));
                Ok(result)
            });
            libtest::trial(name, plan.ignored[i].as_deref(), pending, masker.clone())
        })
        .collect();
    let conclusion = libtest_mimic::run(&options.libtest, trials);

    runtime.block_on(setup.shutdown());
    if listing {
        return conclusion.exit_code();
    }
    let mut all = collected.take();
    // Scenarios libtest skipped without running them still belong in the reports.
    all.extend(plan.skipped.iter().map(|(i, reason)| {
        let s = &scenarios[*i];
        Arc::new(ScenarioResult::without_steps(
            s.trial_name.clone(),
            Arc::clone(&s.file),
            Outcome::Ignored(reason.clone()),
        ))
    }));
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let results = RunResults {
        scenarios: all,
        load_errors: loaded.errors,
        drift: baseline
            .as_deref()
            .map(|b| drift::run_drift(b, &base_url, embedded_mock)),
        setup_error: None,
    };
    let reports = [
        (Format::Junit, &options.junit),
        (Format::Markdown, &options.drift.report),
    ];
    for (format, path) in reports {
        if let Some(path) = path
            && let Err(e) = report::write(format, path, &results, &masker)
        {
            return usage_error(e);
        }
    }
    if let Some(dir) = &options.drift.record
        && let Err(e) = record_baseline(dir, &results, &scenarios, (&base_url, &against), &masker)
    {
        return usage_error(e);
    }
    // Drift and warnings, after libtest's summary.
    report::print_notes(&results, &masker, &options.libtest);
    let spec_errors = results.spec_errors();
    if spec_errors > 0 {
        eprintln!(
            "error: {spec_errors} spec error{} (shown above); the other scenarios ran",
            if spec_errors == 1 { "" } else { "s" }
        );
        return ExitCode::from(EXIT_USAGE);
    }
    conclusion.exit_code()
}

/// What every scenario task does with its result before handing it over:
/// compare it with the baseline, then let drift and warnings fail it.
fn finisher(baseline: Option<Arc<Baseline>>, base_url: String, deny: bool) -> Finish {
    Arc::new(move |scenario, result| {
        result.judge_drift(scenario, baseline.as_deref(), &base_url, deny);
    })
}

/// `--record-baseline DIR`: records every scenario that passed and says
/// what it wrote, and what it did not, on standard error.
fn record_baseline(
    dir: &Path,
    results: &RunResults,
    scenarios: &[Arc<Scenario>],
    (base_url, against): (&str, &drift::RecordedAgainst),
    masker: &Masker,
) -> Result<(), String> {
    let by_name: std::collections::HashMap<&str, &Scenario> = scenarios
        .iter()
        .map(|s| (s.trial_name.as_str(), s.as_ref()))
        .collect();
    let passed = results
        .scenarios
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Passed))
        .filter_map(|r| Some((*by_name.get(r.name.as_str())?, r.ran())));
    let written = drift::record_baseline(dir, passed, base_url, against, masker)?;
    eprintln!(
        "baseline: recorded {written} scenario{} in {}",
        if written == 1 { "" } else { "s" },
        dir.display()
    );
    for r in &results.scenarios {
        if matches!(r.outcome, Outcome::Failed(_) | Outcome::Errored(_)) {
            eprintln!("baseline: not recorded, since it did not pass: {}", r.name);
        }
    }
    Ok(())
}

/// A set-up error found before anything ran: said on standard error, and,
/// when the run writes JUnit, as the report's one error, so that CI never
/// reads a report left from an earlier run. Exit status 2.
fn setup_failed(options: &Options, masker: &Masker, message: String) -> ExitCode {
    if let Some(path) = &options.junit {
        let results = RunResults {
            setup_error: Some(message.clone()),
            ..RunResults::default()
        };
        if let Err(e) = report::write(Format::Junit, path, &results, masker) {
            eprintln!("error: {e}");
        }
    }
    usage_error(message)
}
