//! The stages of a run, each one function, in the order `run::run` calls
//! them (docs/architecture.md): check the outputs, load, read the target as
//! planned, read the baseline, plan, set up the target, preflight, schedule,
//! collect, report, decide the exit status. Everything that can be checked
//! without starting anything (the embedded mock, the webhook receiver) is
//! checked before the set-up, so that its error is the first line. A stage
//! that ends the run returns its exit status as `Err`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::plan::{NoTests, Plan};
use super::schedule::{self, Finish};
use super::setup::{self, Setup};
use super::{EXIT_USAGE, Options, outputs, preflight, trials, usage_error};
use crate::drift;
use crate::drift::baseline::Baseline;
use crate::exec::executor::Executor;
use crate::exec::throttle::Rate;
use crate::mask::Masker;
use crate::report::{self, Format};
use crate::results::{Explained, Outcome, RunResults, ScenarioResult};
use crate::scenario::discover::{Loaded, Suite, load_paths, load_suite};
use crate::scenario::load::Loader;
use crate::scenario::model::Scenario;
use crate::scenario::source::Files;

/// A stage that ends the run early, with this exit status.
pub(super) type Stop = ExitCode;

/// Every file the run writes, checked before anything is sent.
pub(super) fn check_outputs(options: &Options) -> Result<(), Stop> {
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
    checked.map_err(usage_error)
}

/// Every secret the user gave, hidden from every output, whatever the target.
fn given_secrets(options: &Options) -> Masker {
    Masker::new([
        options.target.api_key.as_deref().unwrap_or(""),
        options.target.shared_secret.as_deref().unwrap_or(""),
    ])
}

/// The scenarios, from the paths given or the embedded suite; load errors
/// are printed. A run with no scenario to run stops here, exit status 2.
pub(super) fn load(options: &Options) -> Result<Loaded, Stop> {
    let loaded: Loaded = if options.paths.is_empty() {
        let names = options.run_values.iter().map(|v| v.name.clone());
        load_suite(
            options.suite,
            &Loader::new(Files::Embedded).with_run_values(names),
        )
    } else {
        load_paths(&options.paths)
    };
    let given = given_secrets(options);
    for error in &loaded.errors {
        eprintln!("{}\n", given.mask(&error.render_for_terminal()));
    }
    if !loaded.scenarios.is_empty() {
        return Ok(loaded);
    }
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
    if let Some(path) = &options.junit {
        report::write(Format::Junit, path, &results, &given).map_err(usage_error)?;
    }
    Err(ExitCode::from(EXIT_USAGE))
}

/// The target as planned, before anything is started: what the baseline and
/// the plan are checked against.
pub(super) struct Planned {
    target: crate::exec::target::Target,
    embedded_mock: bool,
    has_receiver: bool,
    /// A listing: nothing is sent, nothing started.
    listing: bool,
    /// The secrets the user gave.
    masker: Masker,
}

/// The target as the options describe it, without starting the embedded
/// mock or the webhook receiver.
pub(super) fn planned(options: &Options) -> Result<Planned, Stop> {
    let target = options.target.for_listing().map_err(usage_error)?;
    let listing = options.libtest.list;
    let embedded_mock = !listing && options.target.base_url.as_deref().is_none_or(str::is_empty);
    Ok(Planned {
        target,
        embedded_mock,
        // A `--list` run has no receiver, yet lists webhook scenarios as a run with one would.
        has_receiver: embedded_mock || options.webhook_listen.is_some(),
        listing,
        masker: given_secrets(options),
    })
}

/// What the stages after the set-up share: the runtime, the target (and the
/// mock and webhook receiver started for it), the runner and the masker.
pub(super) struct Prepared {
    runtime: tokio::runtime::Runtime,
    /// Until [`Prepared::shut_down`].
    setup: Option<Setup>,
    embedded_mock: bool,
    runner: Arc<Executor>,
    /// The target's secrets and those the user gave.
    masker: Masker,
    /// A listing: nothing is sent, nothing started.
    listing: bool,
}

impl Prepared {
    fn embedded_mock(&self) -> bool {
        self.embedded_mock
    }

    /// Stops the embedded mock and the webhook receiver, if any.
    pub(super) fn shut_down(&mut self) {
        if let Some(setup) = self.setup.take() {
            self.runtime.block_on(setup.shutdown());
        }
    }

    fn base_url(&self) -> &str {
        &self.runner.target().base_url
    }
}

/// The runtime, the target (the base URL, or the embedded mock started
/// here), the webhook receiver, and the runner that sends the requests.
pub(super) fn set_up(options: &Options) -> Result<Prepared, Stop> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| usage_error(format!("cannot start the async runtime: {e}")))?;
    let listing = options.libtest.list;
    let quiet = options.libtest.quiet;
    let setup = if listing {
        options.target.for_listing().map(|target| setup::Setup {
            target,
            mock: None,
            receiver: None,
        })
    } else {
        runtime.block_on(options.target.resolve(options.webhook_listen.as_deref()))
    }
    .map_err(usage_error)?;
    let target = setup.target.clone();
    if setup.mock.is_some() && !quiet {
        // On standard error, so that `--format json` output stays JSON.
        eprintln!("target: embedded mock at {}", target.base_url);
    }
    if let Some(receiver) = &setup.receiver
        && !quiet
    {
        eprintln!("webhooks: receiving at {}", receiver.url());
    }
    // A baseline compares, and a recording keeps, every step of a passed scenario.
    let keep_exchanges = options.keep_exchanges
        || options.drift.record.is_some()
        || options.drift.baseline.is_some();
    // A listing never builds the HTTP client: it sends nothing.
    let runner = Executor::unconnected(target);
    if !listing {
        runner.client().map_err(usage_error)?;
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
    if let (Rate::PerSecond(n), false) = (runner.rate(), quiet || listing) {
        eprintln!("rate: at most {n} requests a second (--rate)");
    }
    let masker = runner.masker().also(&given_secrets(options));
    Ok(Prepared {
        runtime,
        embedded_mock: setup.mock.is_some(),
        setup: Some(setup),
        runner,
        masker,
        listing,
    })
}

/// The loaded scenarios, shared by the tasks that run them.
pub(super) fn scenarios(loaded: Vec<Scenario>) -> Vec<Arc<Scenario>> {
    let mut scenarios: Vec<Arc<Scenario>> = loaded.into_iter().map(Arc::new).collect();
    // Collected in place, the vector kept the capacity of as many whole scenarios.
    scenarios.shrink_to_fit();
    scenarios
}

/// Drift: the baseline, read before anything runs, and checked to be of
/// this kind of target; an unusable one stops the run.
pub(super) fn read_baseline(
    options: &Options,
    planned: &Planned,
    scenarios: &[Arc<Scenario>],
) -> Result<Option<Arc<Baseline>>, Stop> {
    let masker = &planned.masker;
    let trial_names: Vec<&str> = scenarios.iter().map(|s| s.trial_name.as_str()).collect();
    let baseline = match drift::load(&options.drift, &trial_names) {
        Ok(b) => b.map(Arc::new),
        // A hand-edited file may hold anything, a secret too.
        Err(e) => return Err(setup_failed(options, masker, masker.mask(&e))),
    };
    if !planned.listing {
        let against = drift::RecordedAgainst::of(&planned.target.base_url, planned.embedded_mock);
        match drift::check_target(&options.drift, &against) {
            Ok(warnings) => warnings
                .iter()
                .for_each(|w| eprintln!("warning: {}", masker.mask(w))),
            Err(e) => return Err(setup_failed(options, masker, masker.mask(&e))),
        }
    }
    Ok(baseline)
}

/// What a baseline of this run is recorded against: a baseline compares
/// with, and a recording replaces, only the same kind of target.
fn against(prepared: &Prepared) -> drift::RecordedAgainst {
    drift::RecordedAgainst::of(prepared.base_url(), prepared.embedded_mock())
}

/// Which scenarios become trials and which of them run; a run that would
/// compare nothing stops here unless `--no-tests` allows it.
pub(super) fn plan(
    options: &Options,
    planned: &Planned,
    scenarios: &[Arc<Scenario>],
) -> Result<Plan, Stop> {
    let plan = Plan::new(
        scenarios,
        &planned.target,
        planned.has_receiver,
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
    let nothing = if planned.listing {
        None
    } else {
        plan.nothing_to_compare(&options.libtest, scenarios.len(), options.partition)
    };
    if let Some(what) = nothing {
        match options.no_tests {
            NoTests::Fail => {
                return Err(setup_failed(
                    options,
                    &planned.masker,
                    format!(
                        "{what}; see the names with --list, or allow an empty run with --no-tests=warn or --no-tests=pass"
                    ),
                ));
            }
            NoTests::Warn => eprintln!("warning: {what} (--no-tests=warn)"),
            NoTests::Pass => {}
        }
    }
    Ok(plan)
}

/// Before the first scenario, what tells a set-up problem from a problem
/// of what is tested: for the session API, one request that changes
/// nothing; for the receiver suite, a connection to every receiver URL
/// given. Not for a listing, the embedded mock, or a run of nothing.
pub(super) fn preflight(options: &Options, prepared: &Prepared, plan: &Plan) -> Result<(), Stop> {
    if prepared.listing || prepared.embedded_mock() || plan.to_run.is_empty() {
        return Ok(());
    }
    let runner = &prepared.runner;
    let target = runner.target();
    let checked = match options.suite {
        Suite::Api => runner
            .client()
            .and_then(|client| prepared.runtime.block_on(preflight::check(client, target))),
        // A receiver is only connected to: it sees nothing but deliveries.
        Suite::Receiver => prepared.runtime.block_on(preflight::all_reachable(
            &options.receiver_urls,
            target.timeout,
        )),
    };
    let masker = &prepared.masker;
    checked.map_err(|e| setup_failed(options, masker, masker.mask(&e)))
}

/// The libtest trials, one per scenario of the plan, and where their
/// results are collected; the scenarios to run are started on the runtime.
pub(super) fn schedule(
    options: &Options,
    prepared: &Prepared,
    scenarios: &[Arc<Scenario>],
    plan: &Plan,
    baseline: Option<Arc<Baseline>>,
) -> trials::Trials {
    let deliveries = if prepared.listing {
        Vec::new()
    } else {
        schedule::start(
            prepared.runtime.handle(),
            Arc::clone(&prepared.runner),
            plan.to_run
                .iter()
                .map(|&i| Arc::clone(&scenarios[i]))
                .collect(),
            options.jobs,
            finisher(
                baseline,
                prepared.base_url().to_string(),
                options.drift.deny,
                options.suite == Suite::Receiver,
            ),
            // With a baseline alone, the runner kept every step for the
            // finisher to compare; the plain ones are dropped after it.
            options.keep_exchanges || options.drift.record.is_some(),
        )
    };
    trials::of_plan(plan, scenarios, deliveries, &prepared.masker)
}

/// The results of the run, sorted by name: those libtest collected, and
/// those of the scenarios it skipped without running them.
pub(super) fn collect(
    collected: schedule::Collected,
    plan: &Plan,
    scenarios: &[Arc<Scenario>],
    load_errors: Vec<crate::scenario::error::SpecError>,
    baseline: Option<&Baseline>,
    prepared: &Prepared,
) -> RunResults {
    let mut all = collected.take();
    all.extend(plan.skipped.iter().map(|(i, reason)| {
        let s = &scenarios[*i];
        Arc::new(ScenarioResult::without_steps(
            s.trial_name.clone(),
            Arc::clone(&s.file),
            Outcome::Ignored(reason.clone()),
        ))
    }));
    all.sort_by(|a, b| a.name.cmp(&b.name));
    RunResults {
        scenarios: all,
        load_errors,
        drift: baseline.map(|b| drift::run_drift(b, prepared.base_url(), prepared.embedded_mock())),
        setup_error: None,
    }
}

/// The report files, the baseline recorded, and the notes after libtest's
/// summary (drift, warnings, hints).
pub(super) fn report(
    options: &Options,
    prepared: &Prepared,
    results: &RunResults,
    scenarios: &[Arc<Scenario>],
) -> Result<(), Stop> {
    let masker = &prepared.masker;
    let reports = [
        (Format::Junit, &options.junit),
        (Format::Markdown, &options.drift.report),
    ];
    for (format, path) in reports {
        if let Some(path) = path {
            report::write(format, path, results, masker).map_err(usage_error)?;
        }
    }
    if let Some(dir) = &options.drift.record {
        record_baseline(
            dir,
            results,
            scenarios,
            (prepared.base_url(), &against(prepared)),
            masker,
        )
        .map_err(usage_error)?;
    }
    // Drift and warnings, after libtest's summary.
    report::print_notes(results, masker, &options.libtest);
    if options.suite == Suite::Receiver {
        let hints = report::receiver_hint::of_run(results);
        if !hints.is_empty() {
            let text = format!("\n{}\n", hints.join("\n"));
            report::print_after_summary(&masker.mask(&text), &options.libtest);
        }
    }
    Ok(())
}

/// 2 when a spec error showed only as a step ran (the other scenarios
/// ran), else libtest's: 0 when all passed, 101 when one failed.
pub(super) fn exit_status(
    results: &RunResults,
    conclusion: &libtest_mimic::Conclusion,
) -> ExitCode {
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
/// compare it with the baseline, then let drift and warnings fail it; and,
/// with `explained` (a suite whose spec files a user of the installed binary
/// does not have), have a failure show what was sent and the spec's lines.
fn finisher(
    baseline: Option<Arc<Baseline>>,
    base_url: String,
    deny: bool,
    explained: bool,
) -> Finish {
    Arc::new(move |scenario, result| {
        result.judge_drift(scenario, baseline.as_deref(), &base_url, deny);
        if explained {
            result.explained = Some(Explained {
                description: scenario.description.clone(),
            });
        }
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
