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

mod flows;
mod hurl;
mod measure;
mod mocks;
mod scale;
mod webhooks;
mod workload;

use flows::*;
use hurl::*;
use measure::*;
use mocks::*;
use scale::*;
use webhooks::*;
use workload::*;

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
const FAIL_SCHEMA: &str = include_str!("../../specs/schemas/fail.json");

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
