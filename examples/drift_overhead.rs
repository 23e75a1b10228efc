//! How much comparing with a baseline adds to a run's wall time.
//!
//! ```sh
//! cargo run --release --example drift_overhead [ROUNDS]
//! ```
//!
//! Runs the built-in suite against the embedded mock (on 127.0.0.1, so round
//! trips are as short as they get and the comparison weighs the most) ROUNDS
//! times (default 30) without and with `--baseline`, alternating, through the
//! same code a run uses (`run::execute::start`, with the finisher of
//! `run::drift`). Prints the median and mean wall time of each, the overhead,
//! and the time the comparing itself takes per scenario. The target is an
//! overhead under 10%.

use std::sync::Arc;
use std::time::{Duration, Instant};

use veriff_conformance::drift::baseline::Baseline;
use veriff_conformance::drift::normalize::Rule;
use veriff_conformance::drift::{compare_with, record};
use veriff_conformance::exec::runner::Runner;
use veriff_conformance::exec::target::Target;
use veriff_conformance::mock::{MockConfig, MockServer};
use veriff_conformance::results::ScenarioResult;
use veriff_conformance::run::execute::{self, Finish};
use veriff_conformance::run::{Options, drift::DriftOptions};
use veriff_conformance::scenario::discover::load_embedded;
use veriff_conformance::scenario::model::Scenario;

fn run_all(
    rt: &tokio::runtime::Runtime,
    runner: &Arc<Runner>,
    scenarios: &[Arc<Scenario>],
    finish: &Finish,
) -> (Duration, Vec<Arc<ScenarioResult>>) {
    let started = Instant::now();
    let deliveries = execute::start(
        rt.handle(),
        Arc::clone(runner),
        scenarios.to_vec(),
        16,
        Arc::clone(finish),
        true,
    );
    let results: Vec<Arc<ScenarioResult>> = deliveries
        .into_iter()
        .map(|rx| rx.recv().expect("a result"))
        .collect();
    (started.elapsed(), results)
}

/// One whole run of the built-in suite against a fresh embedded mock.
fn whole_run(baseline: Option<&std::path::Path>, log: &std::path::Path) -> Duration {
    let mut options = Options::default();
    options.libtest.quiet = true;
    options.libtest.logfile = Some(log.display().to_string());
    options.drift = DriftOptions {
        baseline: baseline.map(|p| p.to_path_buf()),
        ..DriftOptions::default()
    };
    let started = Instant::now();
    let status = veriff_conformance::run::run(options);
    let elapsed = started.elapsed();
    assert_eq!(
        status,
        std::process::ExitCode::SUCCESS,
        "the suite passes; see {}",
        log.display()
    );
    elapsed
}

fn report(what: &str, without: &[Duration], with: &[Duration]) {
    let (m0, m1) = (median(without.to_vec()), median(with.to_vec()));
    let overhead = (m1.as_secs_f64() / m0.as_secs_f64() - 1.0) * 100.0;
    println!("{what}:");
    println!(
        "   without --baseline: median {:>8.2} ms, mean {:>8.2} ms",
        m0.as_secs_f64() * 1e3,
        mean(without).as_secs_f64() * 1e3
    );
    println!(
        "   with --baseline:    median {:>8.2} ms, mean {:>8.2} ms",
        m1.as_secs_f64() * 1e3,
        mean(with).as_secs_f64() * 1e3
    );
    println!("   overhead (medians): {overhead:+.1}%");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mean(v: &[Duration]) -> Duration {
    v.iter().sum::<Duration>() / v.len() as u32
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30)
        .max(1);
    // 1. Whole runs.
    let dir = std::env::temp_dir().join(format!("vc-drift-overhead-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (baseline_dir, log) = (dir.join("baseline"), dir.join("libtest.log"));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let mut record = Options::default();
    record.libtest.quiet = true;
    record.libtest.logfile = Some(log.display().to_string());
    record.drift.record = Some(baseline_dir.clone());
    veriff_conformance::run::run(record);
    let _ = whole_run(None, &log);
    let _ = whole_run(Some(&baseline_dir), &log);
    let (mut runs_without, mut runs_with) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        runs_without.push(whole_run(None, &log));
        runs_with.push(whole_run(Some(&baseline_dir), &log));
    }
    let _ = std::fs::remove_dir_all(&dir);

    // 2. Execution alone.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mock = rt
        .block_on(MockServer::start(MockConfig::generated()))
        .expect("mock");
    let base_url = mock.base_url();
    let runner = Arc::new(
        Runner::new(Target {
            base_url: base_url.clone(),
            api_key: mock.config().api_key.clone(),
            shared_secret: mock.config().shared_secret.clone(),
            timeout: Duration::from_secs(30),
            is_mock: true,
            allow_insecure_http: false,
            features: Vec::new(),
        })
        .expect("runner"),
    );
    let scenarios: Vec<Arc<Scenario>> = load_embedded()
        .scenarios
        .into_iter()
        .map(Arc::new)
        .collect();

    // A baseline of one good run, in memory (reading the files happens once
    // per run, before anything runs, and is not part of each scenario).
    let plain: Finish = Arc::new(|_, _| {});
    let (_, first) = run_all(&rt, &runner, &scenarios, &plain);
    let mut baseline = Baseline::default();
    for (scenario, result) in scenarios.iter().zip(&first) {
        let b = record::record(scenario, result, &base_url, Rule::ALL.len());
        baseline.scenarios.insert(b.scenario.clone(), Arc::new(b));
    }
    let baseline = Arc::new(baseline);
    let comparing = veriff_conformance::run::drift::finisher(
        Some(Arc::clone(&baseline)),
        base_url.clone(),
        false,
    );

    // Warm up both, then alternate so that drift in the machine's load hits both alike.
    let _ = run_all(&rt, &runner, &scenarios, &plain);
    let _ = run_all(&rt, &runner, &scenarios, &comparing);
    let (mut without, mut with) = (Vec::new(), Vec::new());
    let mut changes = 0;
    for _ in 0..rounds {
        without.push(run_all(&rt, &runner, &scenarios, &plain).0);
        let (t, results) = run_all(&rt, &runner, &scenarios, &comparing);
        with.push(t);
        changes += results
            .iter()
            .filter_map(|r| r.drift.as_ref())
            .map(|d| d.steps.len())
            .sum::<usize>();
    }

    // The comparing alone, on saved results.
    let started = Instant::now();
    let repeats = 200;
    for _ in 0..repeats {
        for (scenario, result) in scenarios.iter().zip(&first) {
            std::hint::black_box(compare_with(&baseline, scenario, result, &base_url));
        }
    }
    let per_scenario = started.elapsed() / (repeats * scenarios.len()) as u32;

    println!(
        "drift overhead: {} scenarios of the built-in suite, {rounds} rounds each, against the embedded mock",
        scenarios.len()
    );
    report(
        "1. whole runs (`run`, the measure the target is for)",
        &runs_without,
        &runs_with,
    );
    report("2. scenario execution alone", &without, &with);
    println!(
        "3. comparing alone: {:.1} µs per scenario ({} steps with drift seen in all rounds: expected 0)",
        per_scenario.as_secs_f64() * 1e6,
        changes
    );
    rt.block_on(mock.shutdown());
}
