//! The harness against a bare reqwest loop, in one process, on the same flows,
//! against the embedded mock; and the cost of loading and holding many scenarios.
//!
//! ```text
//! cargo run --release --example bench                 # every phase
//! cargo run --release --example bench -- flows        # harness vs bare loop only
//! cargo run --release --example bench -- webhooks     # the mock with webhooks off and on
//! cargo run --release --example bench -- --jobs 2     # another concurrency
//! cargo run --release --example bench -- flows --rounds 9 --flows 2000
//! cargo run --release --example bench -- flows --harness-only   # to profile it
//! ```
//!
//! Phases (each names what it prints):
//!
//! - `latency`: the built-in suite against a mock with 100 ms of latency per
//!   request; its wall time against its longest chain of steps.
//! - `flows`: N double-submit flows (create, submit, submit again, the same checks
//!   on each side), first as a bare reqwest loop, then through the harness
//!   (`run::run` on generated YAML: load, plan, execute, libtest), both with
//!   `--jobs` in flight. Wall, CPU (the process minus the mock's threads),
//!   peak RSS, CPU per step and the ratio.
//! - `webhooks`: N flows (create with the decision trick's first name, open
//!   the session URL, submit: three requests and four webhooks each) as a bare
//!   reqwest loop, `--jobs` in flight, against a mock without webhooks and one
//!   that sends all three kinds to a local receiver answering 200, alternating;
//!   requests per second of each, the ratio, and the webhooks delivered.
//! - `load`: loading 1,000 and 10,000 scenarios from YAML.
//! - `hurl`: the `veriff-conformance` binary and Hurl, each as a process, on
//!   the same flows against one mock in a child process; wall, CPU and peak
//!   RSS from GNU time. Needs `hurl` on `PATH` and `cargo build --release`.
//!   Hurl checks less: no response signatures, no JSON Schema.
//! - `scale`: peak RSS of a whole run of 10,000 scenarios, with the mock in a
//!   child process (this program run with `--serve-mock`), so that the figure is
//!   the harness's own; the mock's CPU is not counted there.
//!
//! CPU and memory (Linux only): the process's CPU clock (`clock_gettime`,
//! every thread, ended ones too, in nanoseconds), `/proc/self/task/TID/schedstat`
//! for the mock's runtime threads, `/proc/self/status` for RSS, and
//! `/proc/self/clear_refs` to reset the peak between phases. Figures are
//! printed, never asserted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libtest_mimic::Arguments;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use veriff_conformance::mock::{MockConfig, MockServer, WebhookConfig};
use veriff_conformance::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign, verify};
use veriff_conformance::{Options, TargetOptions, run};
use veriff_conformance::{load_embedded, load_paths};

/// The allocator of the `veriff-conformance` binary, for the harness and the
/// bare loop alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `--harness-only`: the flows phase runs only the harness (to profile it).
static HARNESS_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--keep-exchanges`: keep every passed scenario's exchanges, as a report that reads them would.
static KEEP_EXCHANGES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

const STEPS_PER_FLOW: usize = 3;
/// Requests of one flow of the `webhooks` phase: create, open, submit.
const REQUESTS_PER_WEBHOOK_FLOW: usize = 3;
/// Webhooks one flow of the `webhooks` phase makes the mock send: `started`,
/// `submitted`, the decision and the watchlist screening.
const WEBHOOKS_PER_FLOW: u64 = 4;
const FAIL_SCHEMA: &str = include_str!("../specs/schemas/fail.json");

// ---------------------------------------------------------------- /proc

/// The CPU time of every thread of the process, ended ones too, in nanoseconds.
fn process_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// The CPU time of these (live) threads, in nanoseconds, from
/// `/proc/self/task/TID/schedstat` (its first field: time on a CPU).
fn threads_cpu(tids: &[u32]) -> Duration {
    tids.iter()
        .filter_map(|tid| std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok())
        .filter_map(|text| text.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .sum()
}

/// A `kB` line of `/proc/self/status`, in MB.
fn status_mb(key: &str) -> f64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets the peak RSS (VmHWM) to the current RSS (Linux 4.0+).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The id of the calling thread, from `/proc/thread-self` (`PID/task/TID`).
fn current_tid() -> Option<u32> {
    std::fs::read_link("/proc/thread-self")
        .ok()?
        .file_name()?
        .to_str()?
        .parse()
        .ok()
}

// ---------------------------------------------------------------- figures

/// What one measured phase cost.
struct Cost {
    wall: Duration,
    /// CPU of the process minus the mock's runtime threads.
    cpu: Duration,
    mock_cpu: Duration,
    rss_before: f64,
    peak_rss: f64,
}

struct Mock {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    tids: Arc<Mutex<Vec<u32>>>,
}

impl Mock {
    /// The embedded mock on its own two-thread runtime, whose threads are
    /// known so that their CPU can be told apart from the client's.
    fn start(latency: Duration) -> Mock {
        Mock::start_with(MockConfig {
            max_sessions: 1_000_000,
            latency,
            ..MockConfig::generated()
        })
    }

    /// The same, with another configuration.
    fn start_with(config: MockConfig) -> Mock {
        let tids = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&tids);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mock")
            .on_thread_start(move || {
                if let Some(tid) = current_tid() {
                    record.lock().expect("tids").push(tid);
                }
            })
            .enable_all()
            .build()
            .expect("mock runtime");
        let server = runtime
            .block_on(MockServer::builder().config(config).start())
            .expect("mock");
        Mock {
            runtime,
            server,
            tids,
        }
    }

    fn cpu(&self) -> Duration {
        threads_cpu(&self.tids.lock().expect("tids"))
    }

    fn target(&self) -> TargetOptions {
        TargetOptions {
            base_url: Some(self.server.base_url()),
            api_key: Some(self.server.config().api_key.clone()),
            shared_secret: Some(self.server.config().shared_secret.clone()),
            timeout: Duration::from_secs(30),
            allow_insecure_http: false,
            target_is_mock: true,
            features: Vec::new(),
        }
    }

    /// Runs `work` and measures it.
    fn measure<T>(&self, work: impl FnOnce() -> T) -> (T, Cost) {
        reset_peak_rss();
        let rss_before = status_mb("VmRSS");
        let (cpu0, mock0, started) = (process_cpu(), self.cpu(), Instant::now());
        let out = work();
        let wall = started.elapsed();
        let (cpu1, mock1) = (process_cpu(), self.cpu());
        let mock_cpu = mock1.saturating_sub(mock0);
        let cost = Cost {
            wall,
            cpu: cpu1.saturating_sub(cpu0).saturating_sub(mock_cpu),
            mock_cpu,
            rss_before,
            peak_rss: status_mb("VmHWM"),
        };
        (out, cost)
    }

    fn stop(self) {
        self.runtime.block_on(self.server.shutdown());
    }
}

fn row(what: &str, c: &Cost, steps: usize) {
    println!(
        "{what:<34} {:>8.3} s {:>8.3} s {:>9.1} µs {:>8.3} s {:>7.1} MB (from {:.1} MB)",
        c.wall.as_secs_f64(),
        c.cpu.as_secs_f64(),
        c.cpu.as_secs_f64() * 1e6 / steps.max(1) as f64,
        c.mock_cpu.as_secs_f64(),
        c.peak_rss,
        c.rss_before,
    );
}

fn header() {
    println!(
        "{:<34} {:>10} {:>10} {:>12} {:>10} {:>10}",
        "", "wall", "CPU", "CPU/step", "mock CPU", "peak RSS"
    );
}

// ---------------------------------------------------------------- specs

/// Writes `files` × `per_file` double-submit scenarios (and the schema they
/// name) into a fresh folder.
fn write_flows(name: &str, files: usize, per_file: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("schemas")).expect("temp dir");
    std::fs::write(dir.join("schemas/fail.json"), FAIL_SCHEMA).expect("schema");
    for f in 0..files {
        let mut text = String::from("scenarios:\n");
        for s in 0..per_file {
            text.push_str(&format!(
                r#"  - name: double submit {f:03} {s:03}
    steps:
      - name: create a session
        method: POST
        path: /v1/sessions
        body:
          verification: {{}}
        expect:
          status: 201
        capture:
          id: verification.id
      - name: submit it
        method: PATCH
        path: /v1/sessions/${{id}}
        body:
          verification:
            status: submitted
        expect:
          status: 200
      - name: submit it again
        method: PATCH
        path: /v1/sessions/${{id}}
        body:
          verification:
            status: submitted
        expect:
          status: 400
          schema: schemas/fail.json
          body:
            status: fail
            code: "1101"
            message: Session has already been submitted
"#
            ));
        }
        std::fs::write(dir.join(format!("flows_{f:03}.yaml")), text).expect("spec");
    }
    dir
}

// ---------------------------------------------------------------- bare loop

struct Bare {
    client: reqwest::Client,
    base: String,
    key: String,
    secret: String,
    fail_schema: jsonschema::Validator,
}

impl Bare {
    /// The response's body, after the checks every step makes: its status,
    /// and its signature when it has one.
    async fn step(&self, request: reqwest::RequestBuilder, status: u16) -> Result<Value, String> {
        let response = request.send().await.map_err(|e| e.to_string())?;
        if response.status().as_u16() != status {
            return Err(format!("status {} not {status}", response.status()));
        }
        let signature = response.headers().get(SIGNATURE_HEADER).cloned();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if let Some(sig) = signature
            && !verify(&self.secret, &body, sig.to_str().unwrap_or(""))
        {
            return Err("bad response signature".into());
        }
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    }

    async fn flow(&self) -> Result<(), String> {
        let create = serde_json::to_vec(&json!({ "verification": {} })).expect("json");
        let created = self
            .step(
                self.client
                    .post(format!("{}/v1/sessions", self.base))
                    .header(API_KEY_HEADER, &self.key)
                    .header("content-type", "application/json")
                    .body(create),
                201,
            )
            .await?;
        let id = created
            .pointer("/verification/id")
            .and_then(Value::as_str)
            .ok_or("no verification.id")?
            .to_string();
        let submit = || {
            let body = serde_json::to_vec(&json!({ "verification": { "status": "submitted" } }))
                .expect("json");
            self.client
                .patch(format!("{}/v1/sessions/{id}", self.base))
                .header(API_KEY_HEADER, &self.key)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, sign(&self.secret, &body))
                .body(body)
        };
        self.step(submit(), 200).await?;
        let again = self.step(submit(), 400).await?;
        if !self.fail_schema.is_valid(&again) {
            return Err("fail.json does not hold".into());
        }
        let want = [
            ("status", "fail"),
            ("code", "1101"),
            ("message", "Session has already been submitted"),
        ];
        for (key, value) in want {
            if again.get(key).and_then(Value::as_str) != Some(value) {
                return Err(format!("{key} is not {value:?}"));
            }
        }
        Ok(())
    }

    /// Create (with the decision trick's first name), open the session URL
    /// (`started`), submit (`submitted`, then the decision and a watchlist
    /// screening): [`WEBHOOKS_PER_FLOW`] webhooks when the mock sends them.
    async fn webhook_flow(&self) -> Result<(), String> {
        let create = serde_json::to_vec(
            &json!({ "verification": { "person": { "firstName": "Approve" } } }),
        )
        .expect("json");
        let created = self
            .step(
                self.client
                    .post(format!("{}/v1/sessions", self.base))
                    .header(API_KEY_HEADER, &self.key)
                    .header("content-type", "application/json")
                    .body(create),
                201,
            )
            .await?;
        let field = |name: &str| {
            created
                .pointer(&format!("/verification/{name}"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or(format!("no verification.{name}"))
        };
        let (id, url) = (field("id")?, field("url")?);
        let opened = self.step(self.client.get(url), 200).await?;
        if opened.pointer("/verification/status") != Some(&json!("started")) {
            return Err(format!("opening it answered {opened}"));
        }
        let body = serde_json::to_vec(&json!({ "verification": { "status": "submitted" } }))
            .expect("json");
        self.step(
            self.client
                .patch(format!("{}/v1/sessions/{id}", self.base))
                .header(API_KEY_HEADER, &self.key)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, sign(&self.secret, &body))
                .body(body),
            200,
        )
        .await?;
        Ok(())
    }
}

/// What each flow of a bare loop does.
#[derive(Clone, Copy)]
enum Workload {
    /// [`Bare::flow`]: [`STEPS_PER_FLOW`] requests.
    DoubleSubmit,
    /// [`Bare::webhook_flow`]: [`REQUESTS_PER_WEBHOOK_FLOW`] requests.
    Webhooks,
}

/// `flows` bare double-submit flows, `jobs` in flight, on a runtime like the harness's.
fn bare_loop(mock: &Mock, flows: usize, jobs: usize) -> usize {
    bare_workload(mock, flows, jobs, Workload::DoubleSubmit)
}

/// `flows` bare flows of `workload`, `jobs` in flight; how many failed.
fn bare_workload(mock: &Mock, flows: usize, jobs: usize, workload: Workload) -> usize {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let schema: Value = serde_json::from_str(FAIL_SCHEMA).expect("schema");
    let bare = Arc::new(Bare {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        base: mock.server.base_url(),
        key: mock.server.config().api_key.clone(),
        secret: mock.server.config().shared_secret.clone(),
        fail_schema: jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema"),
    });
    runtime.block_on(async {
        let permits = Arc::new(Semaphore::new(jobs));
        let tasks: Vec<_> = (0..flows)
            .map(|_| {
                let (bare, permits) = (Arc::clone(&bare), Arc::clone(&permits));
                tokio::spawn(async move {
                    let _permit = permits.acquire().await.expect("permit");
                    match workload {
                        Workload::DoubleSubmit => bare.flow().await,
                        Workload::Webhooks => bare.webhook_flow().await,
                    }
                })
            })
            .collect();
        let mut failed = 0;
        for task in tasks {
            if let Err(e) = task.await.expect("task") {
                failed += 1;
                if failed == 1 {
                    eprintln!("bare flow failed: {e}");
                }
            }
        }
        failed
    })
}

// ---------------------------------------------------------------- harness

fn quiet() -> Arguments {
    Arguments {
        quiet: true,
        ..Arguments::default()
    }
}

/// `veriff-conformance run` on `paths` (none: the built-in suite), through the library.
fn harness(target: TargetOptions, paths: Vec<PathBuf>, jobs: usize) -> ExitCode {
    run(Options {
        paths,
        target,
        libtest: quiet(),
        junit: None,
        jobs,
        partition: None,
        keep_exchanges: KEEP_EXCHANGES.load(std::sync::atomic::Ordering::Relaxed),
        ..Options::default()
    })
}

// ---------------------------------------------------------------- phases

fn phase_latency(jobs: usize) {
    let latency = Duration::from_millis(100);
    let suite = load_embedded();
    let chains: Vec<usize> = suite.scenarios.iter().map(|s| s.steps.len()).collect();
    let longest = chains.iter().max().copied().unwrap_or(0);
    let total: usize = chains.iter().sum();
    let mock = Mock::start(latency);
    let (code, cost) = mock.measure(|| harness(mock.target(), Vec::new(), jobs));
    mock.stop();
    println!();
    println!(
        "latency: the built-in suite ({} scenarios, {total} steps) against a mock with {} ms per request, --jobs {jobs}",
        chains.len(),
        latency.as_millis()
    );
    println!(
        "  wall {:.2} s; longest chain {longest} steps = {:.2} s; all steps one after another {:.2} s, two at a time {:.2} s; exit {code:?}",
        cost.wall.as_secs_f64(),
        (longest as u32 * latency).as_secs_f64(),
        (total as u32 * latency).as_secs_f64(),
        (total as u32 * latency).as_secs_f64() / 2.0,
    );
}

fn phase_flows(flows: usize, jobs: usize, rounds: usize) {
    let dir = write_flows("flows", 10, flows.div_ceil(10));
    let flows = flows.div_ceil(10) * 10;
    let steps = flows * STEPS_PER_FLOW;
    let mock = Mock::start(Duration::ZERO);
    // Warm up both paths once (connections, lazy statics, allocator).
    bare_loop(&mock, jobs, jobs);
    let warm = write_flows("warm", 1, jobs);
    harness(mock.target(), vec![warm.clone()], jobs);
    let _ = std::fs::remove_dir_all(warm);

    // Alternate the two, several rounds, and show the median of each figure:
    // The machine may be shared: medians of several rounds.
    let (mut bares, mut ours, mut failed, mut codes) = (Vec::new(), Vec::new(), 0, Vec::new());
    let harness_only = HARNESS_ONLY.load(std::sync::atomic::Ordering::Relaxed);
    let mut harness_passed = true;
    for _ in 0..rounds {
        if !harness_only {
            let (f, cost) = mock.measure(|| bare_loop(&mock, flows, jobs));
            failed += f;
            bares.push(cost);
        }
        let (code, cost) = mock.measure(|| harness(mock.target(), vec![dir.clone()], jobs));
        harness_passed &= code == ExitCode::SUCCESS;
        codes.push(format!("{code:?}"));
        ours.push(cost);
    }
    mock.stop();
    if harness_only {
        codes.dedup();
        let _ = std::fs::remove_dir_all(&dir);
        let ours = median_cost(ours);
        println!("\nflows: {flows} flows, --jobs {jobs}, median of {rounds} rounds, harness only");
        header();
        row(
            &format!("harness (exit {})", codes.join(", ")),
            &ours,
            steps,
        );
        return;
    }
    let dir_for_load = dir;
    codes.dedup();
    let (bare, ours) = (median_cost(bares), median_cost(ours));
    println!();
    println!(
        "flows: {flows} double-submit flows ({steps} requests), --jobs {jobs}, median of {rounds} rounds"
    );
    header();
    row(
        &format!("bare reqwest loop ({failed} failed)"),
        &bare,
        steps,
    );
    row(
        &format!("harness (exit {})", codes.join(", ")),
        &ours,
        steps,
    );
    println!(
        "  ratio harness/bare: CPU per step {:.2}x, wall {:.2}x",
        ours.cpu.as_secs_f64() / bare.cpu.as_secs_f64(),
        ours.wall.as_secs_f64() / bare.wall.as_secs_f64(),
    );
    // The harness's figures include loading the YAML, which the bare loop has
    // no counterpart of: without it, the cost of running the steps.
    let (load_wall, load_cpu) = load_cost(&dir_for_load);
    let run_cpu = ours.cpu.saturating_sub(load_cpu);
    let ratio = run_cpu.as_secs_f64() / bare.cpu.as_secs_f64();
    println!(
        "  loading the {flows} scenarios: {:.1} ms wall, {:.1} ms CPU; without it, harness CPU per step {:.1} µs ({ratio:.2}x the bare loop), wall {:.3} s",
        load_wall.as_secs_f64() * 1e3,
        load_cpu.as_secs_f64() * 1e3,
        run_cpu.as_secs_f64() * 1e6 / steps as f64,
        ours.wall.saturating_sub(load_wall).as_secs_f64(),
    );
    let all_passed = failed == 0 && harness_passed;
    target(
        "CPU per step within 1.25x of the bare loop (loading left out)",
        if all_passed && ratio.is_finite() {
            Ok(ratio <= 1.25)
        } else {
            Err("a flow failed")
        },
        &format!("{ratio:.2}x"),
    );
    let _ = std::fs::remove_dir_all(&dir_for_load);
}

/// Wall and CPU of loading `dir`, each the median of five loads. Loading
/// parses on every core, so its CPU is more than its wall time.
fn load_cost(dir: &std::path::Path) -> (Duration, Duration) {
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let (cpu0, started) = (process_cpu(), Instant::now());
        let loaded = load_paths(&[dir.to_path_buf()]);
        walls.push(started.elapsed());
        cpus.push(process_cpu().saturating_sub(cpu0));
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    }
    (median(walls), median(cpus))
}

/// Prints a target the figure is held to and whether it meets it; `not
/// measured` when a run it rests on failed or gave no figure.
fn target(what: &str, measured: Result<bool, &str>, figure: &str) {
    match measured {
        Ok(met) => println!(
            "  target, {what}: {} ({figure})",
            if met { "met" } else { "NOT met" }
        ),
        Err(why) => println!("  target, {what}: not measured ({why})"),
    }
}

/// Each figure's median over the rounds.
fn median_cost(costs: Vec<Cost>) -> Cost {
    let mid = |f: fn(&Cost) -> f64| {
        let mut v: Vec<f64> = costs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Cost {
        wall: Duration::from_secs_f64(mid(|c| c.wall.as_secs_f64())),
        cpu: Duration::from_secs_f64(mid(|c| c.cpu.as_secs_f64())),
        mock_cpu: Duration::from_secs_f64(mid(|c| c.mock_cpu.as_secs_f64())),
        rss_before: mid(|c| c.rss_before),
        peak_rss: mid(|c| c.peak_rss),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn phase_load() {
    println!();
    for (files, label) in [(10, "1,000"), (100, "10,000")] {
        let dir = write_flows(&format!("load{files}"), files, 100);
        reset_peak_rss();
        let before = status_mb("VmRSS");
        let loaded = load_paths(std::slice::from_ref(&dir));
        let peak = status_mb("VmHWM");
        assert_eq!(loaded.scenarios.len(), files * 100);
        drop(loaded);
        let (wall, cpu) = load_cost(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        println!(
            "load: {label} scenarios in {:.1} ms, {:.0} ms CPU (median of 5); peak RSS {peak:.1} MB (from {before:.1} MB)",
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3
        );
        if files == 10 {
            target(
                "loading 1,000 scenarios in under 50 ms",
                Ok(wall < Duration::from_millis(50)),
                &format!("{:.1} ms", wall.as_secs_f64() * 1e3),
            );
        }
    }
}

/// The mock in a child process (this program, re-run with `--serve-mock`),
/// so that the harness's peak RSS is its own, as when a CI job runs
/// `veriff-conformance mock` beside it.
struct ChildMock {
    child: std::process::Child,
    target: TargetOptions,
}

impl ChildMock {
    fn start() -> ChildMock {
        use std::io::BufRead;
        let config = MockConfig::generated();
        let mut child = std::process::Command::new(std::env::current_exe().expect("this program"))
            .arg("--serve-mock")
            .env("VC_BENCH_MOCK_KEY", &config.api_key)
            .env("VC_BENCH_MOCK_SECRET", &config.shared_secret)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the mock's process");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("its stdout"))
            .read_line(&mut line)
            .expect("its base URL");
        let target = TargetOptions {
            base_url: Some(line.trim().to_string()),
            api_key: Some(config.api_key),
            shared_secret: Some(config.shared_secret),
            timeout: Duration::from_secs(30),
            allow_insecure_http: false,
            target_is_mock: true,
            features: Vec::new(),
        };
        ChildMock { child, target }
    }

    fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// `--serve-mock`: serves the mock on loopback with the credentials the parent
/// chose, prints its base URL, and ends when standard input closes.
fn serve_mock() {
    use std::io::{Read, Write};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("mock runtime");
    let config = MockConfig {
        api_key: std::env::var("VC_BENCH_MOCK_KEY").expect("VC_BENCH_MOCK_KEY"),
        shared_secret: std::env::var("VC_BENCH_MOCK_SECRET").expect("VC_BENCH_MOCK_SECRET"),
        max_sessions: 1_000_000,
        ..MockConfig::generated()
    };
    let server = runtime
        .block_on(MockServer::builder().config(config).start())
        .expect("mock");
    println!("{}", server.base_url());
    std::io::stdout().flush().expect("stdout");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    runtime.block_on(server.shutdown());
}

fn phase_scale(jobs: usize) {
    let dir = write_flows("scale", 100, 100);
    let mock = ChildMock::start();
    reset_peak_rss();
    let rss_before = status_mb("VmRSS");
    let (cpu0, started) = (process_cpu(), Instant::now());
    let code = harness(mock.target.clone(), vec![dir.clone()], jobs);
    let cost = Cost {
        wall: started.elapsed(),
        cpu: process_cpu().saturating_sub(cpu0),
        mock_cpu: Duration::ZERO,
        rss_before,
        peak_rss: status_mb("VmHWM"),
    };
    // The same run as users run it: the binary, a process of its own.
    let process = our_binary().map(|ours| {
        let mut args: Vec<String> = vec![
            "run".into(),
            dir.display().to_string(),
            "--base-url".into(),
            mock.target.base_url.clone().unwrap_or_default(),
            "--target-is-mock".into(),
            "--jobs".into(),
            jobs.to_string(),
            "-q".into(),
        ];
        let env = [
            (
                "VERIFF_API_KEY",
                mock.target.api_key.as_deref().unwrap_or(""),
            ),
            (
                "VERIFF_SHARED_SECRET",
                mock.target.shared_secret.as_deref().unwrap_or(""),
            ),
        ];
        let run = timed(&ours, &args, &env);
        args.push("--list".into());
        (run, timed(&ours, &args, &env))
    });
    mock.stop();
    let _ = std::fs::remove_dir_all(&dir);
    println!();
    println!(
        "scale: 10,000 double-submit scenarios, --jobs {jobs}, the mock in another process (exit {code:?})"
    );
    header();
    row("harness (in this process)", &cost, 10_000 * STEPS_PER_FLOW);
    let mut peak = cost.peak_rss;
    let mut passed = code == ExitCode::SUCCESS;
    match process {
        Some((Some(run), list)) => {
            println!(
                "{:<34} {:>8.3} s {:>8.3} s {:>9.1} µs {:>10} {:>7.1} MB{}",
                format!(
                    "veriff-conformance run ({})",
                    if run.ok { "passed" } else { "FAILED" }
                ),
                run.wall,
                run.cpu,
                run.cpu * 1e6 / (10_000 * STEPS_PER_FLOW) as f64,
                "",
                run.max_rss_mb,
                list.map_or(String::new(), |l| format!(
                    "; --list alone (loading) {:.1} MB",
                    l.max_rss_mb
                )),
            );
            peak = run.max_rss_mb;
            passed &= run.ok;
        }
        _ => println!(
            "  (for the binary's own figures: cargo build --release, and GNU time at /usr/bin/time)"
        ),
    }
    target(
        "peak RSS under 64 MB at 10,000 scenarios",
        if passed {
            Ok(peak < 64.0)
        } else {
            Err("the run did not pass")
        },
        &format!("{peak:.1} MB"),
    );
}

/// The `veriff-conformance` binary beside this example, when it is built
/// and newer than every source it is built from (`cargo run --example`
/// does not rebuild it).
fn our_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let ours = exe.parent()?.parent()?.join("veriff-conformance");
    let built = std::fs::metadata(&ours).and_then(|m| m.modified()).ok()?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut newest = None;
    let mut pending = vec![
        root.join("src"),
        root.join("Cargo.toml"),
        root.join("Cargo.lock"),
    ];
    while let Some(path) = pending.pop() {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            pending.extend(
                std::fs::read_dir(&path)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else if let Ok(modified) = meta.modified() {
            newest = newest.max(Some(modified));
        }
    }
    if newest.is_some_and(|newest| newest > built) {
        println!(
            "  {} is older than its sources: cargo build --release, then run the bench again",
            ours.display()
        );
        return None;
    }
    Some(ours)
}

/// One process's wall, CPU and peak RSS, as GNU time reports them.
struct Timed {
    ok: bool,
    wall: f64,
    cpu: f64,
    max_rss_mb: f64,
}

/// Runs `program args` under `/usr/bin/time` with `env`; `None` when either is missing.
fn timed(program: &std::path::Path, args: &[String], env: &[(&str, &str)]) -> Option<Timed> {
    let report = std::env::temp_dir().join(format!("vc-bench-{}-time", std::process::id()));
    let status = std::process::Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&report)
        .args(["-f", "%e %U %S %M"])
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    let text = std::fs::read_to_string(&report).ok()?;
    let _ = std::fs::remove_file(&report);
    let f: Vec<f64> = text
        .lines()
        .last()?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    (f.len() == 4).then(|| Timed {
        ok: status.success(),
        wall: f[0],
        cpu: f[1] + f[2],
        max_rss_mb: f[3] / 1024.0,
    })
}

/// Where `name` is on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The double-submit flow as `.hurl` files: the same requests and checks but
/// the response signatures, which Hurl cannot compute, and the `fail.json`
/// schema, which it cannot check; so Hurl does less than the harness. The
/// PATCH body is constant, so its signature is passed in as a variable.
fn write_hurl_flows(flows: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-bench-{}-hurl", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let flow = r#"POST {{base}}/v1/sessions
X-AUTH-CLIENT: {{key}}
Content-Type: application/json
{"verification":{}}
HTTP 201
[Captures]
id: jsonpath "$.verification.id"

PATCH {{base}}/v1/sessions/{{id}}
X-AUTH-CLIENT: {{key}}
X-HMAC-SIGNATURE: {{sig}}
Content-Type: application/json
{"verification":{"status":"submitted"}}
HTTP 200

PATCH {{base}}/v1/sessions/{{id}}
X-AUTH-CLIENT: {{key}}
X-HMAC-SIGNATURE: {{sig}}
Content-Type: application/json
{"verification":{"status":"submitted"}}
HTTP 400
[Asserts]
jsonpath "$.status" == "fail"
jsonpath "$.code" == "1101"
jsonpath "$.message" == "Session has already been submitted"
"#;
    for i in 0..flows {
        std::fs::write(dir.join(format!("flow_{i:04}.hurl")), flow).expect("hurl file");
    }
    dir
}

/// `hurl`: the harness's binary and Hurl, each as its own process on the same
/// 1,000 flows against one mock in another process, `--jobs 16` for both.
/// Skipped (saying so) when `hurl` is not on `PATH` or the binary is not built.
fn phase_hurl(flows: usize, jobs: usize, rounds: usize) {
    println!();
    let Some(hurl) = on_path("hurl") else {
        println!("hurl: `hurl` is not on PATH; docs/performance.md says how to install it");
        return;
    };
    let Some(ours) = our_binary() else {
        println!("hurl: build the binary first: cargo build --release");
        return;
    };
    let yaml = write_flows("hurl-yaml", 10, flows.div_ceil(10));
    let flows = flows.div_ceil(10) * 10;
    let hurl_dir = write_hurl_flows(flows);
    let mock = ChildMock::start();
    let base = mock.target.base_url.clone().expect("base URL");
    let key = mock.target.api_key.clone().expect("key");
    let secret = mock.target.shared_secret.clone().expect("secret");
    let sig = sign(&secret, br#"{"verification":{"status":"submitted"}}"#);
    let mut hurl_args: Vec<String> = vec!["--test".into(), "--jobs".into(), jobs.to_string()];
    for (name, value) in [("base", &base), ("key", &key), ("sig", &sig)] {
        hurl_args.extend(["--variable".into(), format!("{name}={value}")]);
    }
    let mut files: Vec<String> = std::fs::read_dir(&hurl_dir)
        .expect("hurl dir")
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .collect();
    files.sort();
    hurl_args.extend(files);
    let our_args: Vec<String> = vec![
        "run".into(),
        yaml.display().to_string(),
        "--base-url".into(),
        base.clone(),
        "--target-is-mock".into(),
        "--jobs".into(),
        jobs.to_string(),
        "-q".into(),
    ];
    let our_env = [
        ("VERIFF_API_KEY", key.as_str()),
        ("VERIFF_SHARED_SECRET", secret.as_str()),
    ];
    let (mut hurls, mut ourss) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        ourss.extend(timed(&ours, &our_args, &our_env));
        hurls.extend(timed(&hurl, &hurl_args, &[]));
    }
    mock.stop();
    let _ = std::fs::remove_dir_all(&yaml);
    let _ = std::fs::remove_dir_all(&hurl_dir);
    let mid = |v: &[Timed], f: fn(&Timed) -> f64| {
        let mut x: Vec<f64> = v.iter().map(f).collect();
        x.sort_by(f64::total_cmp);
        x.get(x.len() / 2).copied().unwrap_or(f64::NAN)
    };
    println!(
        "hurl: {flows} double-submit flows as processes against a mock in another process, --jobs {jobs}, median of {rounds} rounds"
    );
    println!("{:<34} {:>10} {:>10} {:>10}", "", "wall", "CPU", "peak RSS");
    for (what, v) in [("veriff-conformance run", &ourss), ("hurl --test", &hurls)] {
        let passed = v.iter().filter(|t| t.ok).count();
        println!(
            "{:<34} {:>8.3} s {:>8.3} s {:>7.1} MB",
            format!("{what} ({passed}/{} passed)", v.len()),
            mid(v, |t| t.wall),
            mid(v, |t| t.cpu),
            mid(v, |t| t.max_rss_mb),
        );
    }
    let ratio = mid(&ourss, |t| t.wall) / mid(&hurls, |t| t.wall);
    let complete = |v: &[Timed]| v.len() == rounds && v.iter().all(|t| t.ok);
    target(
        "wall time at most 1/3 of Hurl's",
        if !(complete(&ourss) && complete(&hurls)) {
            Err("a run failed, or GNU time is not at /usr/bin/time")
        } else {
            Ok(ratio <= 1.0 / 3.0)
        },
        &format!("{ratio:.2} of Hurl's"),
    );
}

// ---------------------------------------------------------------- webhooks

/// A webhook receiver that reads each body, answers 200 at once and counts,
/// on a one-thread runtime of its own, so that its work is not the mock's.
struct Receiver {
    runtime: tokio::runtime::Runtime,
    url: String,
    received: Arc<AtomicU64>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Receiver {
    fn start() -> Receiver {
        async fn count(
            axum::extract::State(received): axum::extract::State<Arc<AtomicU64>>,
            _body: axum::body::Bytes,
        ) -> axum::http::StatusCode {
            received.fetch_add(1, Ordering::Relaxed);
            axum::http::StatusCode::OK
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("receiver")
            .enable_all()
            .build()
            .expect("receiver runtime");
        let received = Arc::new(AtomicU64::new(0));
        let app = axum::Router::new()
            .fallback(count)
            .with_state(Arc::clone(&received));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("receiver port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Receiver {
            runtime,
            url,
            received,
            stop,
        }
    }

    fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Waits until `want` webhooks in all have arrived, or nothing has
    /// arrived for `quiet`; how many have.
    fn settle(&self, want: u64, quiet: Duration) -> u64 {
        let (mut seen, mut since) = (self.received(), Instant::now());
        while seen < want && since.elapsed() < quiet {
            std::thread::sleep(Duration::from_millis(2));
            let now = self.received();
            if now != seen {
                (seen, since) = (now, Instant::now());
            }
        }
        seen
    }

    fn stop(self) {
        let _ = self.stop.send(());
        self.runtime.shutdown_timeout(Duration::from_secs(5));
    }
}

/// The mock with all three webhook URLs pointed at `receiver`, bounds wide
/// enough that `flows` flows drop nothing.
fn webhook_mock(receiver: &Receiver, flows: usize) -> Mock {
    let pending = flows * WEBHOOKS_PER_FLOW as usize;
    Mock::start_with(MockConfig {
        max_sessions: 1_000_000,
        webhooks: WebhookConfig {
            decision: Some(format!("{}/decision", receiver.url)),
            event: Some(format!("{}/event", receiver.url)),
            watchlist: Some(format!("{}/watchlist", receiver.url)),
            max_pending: pending,
            max_pending_bytes: pending * 16 * 1024,
            ..WebhookConfig::default()
        },
        ..MockConfig::generated()
    })
}

/// `webhooks`: the same bare flows (create, open, submit with the decision
/// trick) against a mock without webhooks and one that sends them to a
/// local receiver, alternating, `rounds` times; requests per second of each.
fn phase_webhooks(flows: usize, jobs: usize, rounds: usize) {
    let requests = flows * REQUESTS_PER_WEBHOOK_FLOW;
    let per_run = flows as u64 * WEBHOOKS_PER_FLOW;
    // Every delivery arrives within milliseconds here; a wait this long
    // with none arriving means the rest will not.
    let quiet = Duration::from_secs(10);
    let receiver = Receiver::start();
    let off = Mock::start(Duration::ZERO);
    let on = webhook_mock(&receiver, flows.max(jobs));
    // Warm up both (connections, lazy statics, allocator), and the receiver.
    let mut failed = bare_workload(&off, jobs, jobs, Workload::Webhooks)
        + bare_workload(&on, jobs, jobs, Workload::Webhooks);
    let mut want = jobs as u64 * WEBHOOKS_PER_FLOW;
    let mut short: Option<String> = None;
    let got = receiver.settle(want, quiet);
    if got != want {
        short = Some(format!("{got} of {want} webhooks arrived from the warm-up"));
    }
    let (mut offs, mut ons, mut by_end) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // Each goes first in every other round.
        for webhooks in [round % 2 == 1, round % 2 == 0] {
            let mock = if webhooks { &on } else { &off };
            let before = receiver.received();
            let (f, cost) = mock.measure(|| bare_workload(mock, flows, jobs, Workload::Webhooks));
            failed += f;
            if !webhooks {
                offs.push(cost);
                continue;
            }
            by_end.push(receiver.received() - before);
            ons.push(cost);
            // Deliveries settle before the next run, so that none of them
            // runs during it.
            want += per_run;
            let got = receiver.settle(want, quiet);
            if got != want && short.is_none() {
                short = Some(format!(
                    "{} of {per_run} webhooks arrived from a run",
                    got.saturating_sub(want - per_run)
                ));
            }
        }
    }
    off.stop();
    on.stop();
    let total = receiver.received();
    receiver.stop();
    let delivered = total.saturating_sub(jobs as u64 * WEBHOOKS_PER_FLOW);
    let rps = |costs: &[Cost]| {
        let mut v: Vec<f64> = costs
            .iter()
            .map(|c| requests as f64 / c.wall.as_secs_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (off_rps, on_rps) = (rps(&offs), rps(&ons));
    let (off_cost, on_cost) = (median_cost(offs), median_cost(ons));
    by_end.sort();
    let ratio = on_rps / off_rps;
    println!();
    println!(
        "webhooks: {flows} flows (create, open, submit with the decision trick; {requests} requests, {per_run} webhooks), bare loop, --jobs {jobs}, median of {rounds} rounds"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>14}",
        "", "req/s", "wall", "mock CPU/req"
    );
    for (what, rps, cost) in [
        ("webhooks off", off_rps, &off_cost),
        ("webhooks on", on_rps, &on_cost),
    ] {
        println!(
            "{what:<34} {rps:>10.0} {:>8.3} s {:>11.1} µs",
            cost.wall.as_secs_f64(),
            cost.mock_cpu.as_secs_f64() * 1e6 / requests as f64,
        );
    }
    println!(
        "  ratio on/off: {ratio:.3}; delivered in the on runs: {delivered} of {} ({} per run, a median of {} of them by the run's last answer); {failed} flows failed",
        per_run * rounds as u64,
        per_run,
        by_end[by_end.len() / 2],
    );
    let why = if flows == 0 {
        Some("no flows".to_string())
    } else if failed > 0 {
        Some("a flow failed".to_string())
    } else if short.is_some() {
        short
    } else if delivered != per_run * rounds as u64 {
        Some(format!(
            "{delivered} webhooks arrived, not {}",
            per_run * rounds as u64
        ))
    } else {
        None
    };
    target(
        "requests per second with webhooks on within 10% of off",
        match &why {
            Some(why) => Err(why.as_str()),
            None => Ok(ratio >= 0.9),
        },
        &format!("{:.1}% of off", ratio * 100.0),
    );
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--serve-mock") {
        return serve_mock();
    }
    let mut args = std::env::args().skip(1);
    let mut phases = Vec::new();
    let (mut jobs, mut flows, mut rounds) = (16, 1000, 5);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" => jobs = args.next().and_then(|v| v.parse().ok()).expect("--jobs N"),
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&r| r > 0)
                    .expect("--rounds N")
            }
            "--harness-only" => HARNESS_ONLY.store(true, std::sync::atomic::Ordering::Relaxed),
            "--keep-exchanges" => KEEP_EXCHANGES.store(true, std::sync::atomic::Ordering::Relaxed),
            "--flows" => flows = args.next().and_then(|v| v.parse().ok()).expect("--flows N"),
            "latency" | "flows" | "webhooks" | "load" | "scale" | "hurl" => phases.push(arg),
            other => {
                panic!(
                    "unknown argument {other}: phases are latency, flows, webhooks, load, scale, hurl"
                )
            }
        }
    }
    if phases.is_empty() {
        phases = ["latency", "flows", "webhooks", "load", "scale", "hurl"]
            .map(String::from)
            .into();
    }
    println!(
        "bench: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for phase in phases {
        match phase.as_str() {
            "latency" => phase_latency(jobs),
            "flows" => phase_flows(flows, jobs, rounds),
            "webhooks" => phase_webhooks(flows, jobs, rounds),
            "load" => phase_load(),
            "scale" => phase_scale(jobs),
            "hurl" => phase_hurl(flows, jobs, rounds),
            _ => unreachable!(),
        }
    }
}
