//! What the harness costs, on the same flows as a bare reqwest loop and Hurl.
//!
//! ```text
//! cargo build --release                               # the binary, for `process`
//! cargo run --release --example bench                 # every phase
//! cargo run --release --example bench -- process      # the whole-process figures
//! cargo run --release --example bench -- flows        # harness vs bare loop, in one process
//! cargo run --release --example bench -- webhooks     # the mock with webhooks off and on
//! cargo run --release --example bench -- --jobs 2     # another concurrency
//! cargo run --release --example bench -- flows --rounds 9 --flows 2000
//! cargo run --release --example bench -- flows --harness-only   # to profile it
//! ```
//!
//! Every phase runs the same double-submit flow (`workload.rs`: create,
//! submit, submit again, with the same checks on every side). Phases (each
//! names what it prints):
//!
//! - `process`: the figures as a user meets them, each side a whole process
//!   against a mock in another process: the `veriff-conformance` binary, Hurl
//!   (when on `PATH`) and the bare loop on N flows; `run --list` of them; and
//!   the binary's peak RSS running 10,000 scenarios. Wall from this program's
//!   clock, CPU and peak RSS from GNU time. Hurl checks less: no response
//!   signatures.
//! - `latency`: the built-in suite against a mock with 100 ms of latency per
//!   request; its wall time against its longest chain of steps.
//! - `flows`: N flows first as a bare reqwest loop, then through the harness
//!   (`run::run` on generated YAML: load, plan, execute, libtest), both with
//!   `--jobs` in flight, in this process against the embedded mock. Wall, CPU
//!   (the process minus the mock's threads), peak RSS, CPU per step and the
//!   ratio; to profile the harness without process start-up.
//! - `webhooks`: N flows (create with the decision trick's first name, open
//!   the session URL, submit: three requests and four webhooks each) as a bare
//!   reqwest loop, `--jobs` in flight, against a mock without webhooks and one
//!   that sends all three kinds to a local receiver answering 200, alternating;
//!   requests per second of each, the ratio, and the webhooks delivered; then
//!   runs ten times as long, past the time the mock's webhooks wait for the
//!   API to be idle.
//! - `load`: loading 1,000 and 10,000 scenarios from YAML, in this process.
//! - `scale`: a run of 10,000 scenarios through the library in this process,
//!   with the mock in a child process (this program run with `--serve-mock`).
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
mod measure;
mod mocks;
mod process;
mod scale;
mod webhooks;
mod workload;

use flows::*;
use measure::*;
use mocks::*;
use process::*;
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

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("--serve-mock") => return serve_mock(),
        Some("--bare-process") => {
            std::process::exit(match bare_process(std::env::args().skip(2)) {
                code if code == ExitCode::SUCCESS => 0,
                _ => 1,
            })
        }
        _ => {}
    }
    let mut args = std::env::args().skip(1);
    let mut phases = Vec::new();
    let (mut jobs, mut flows, mut rounds) = (16, 1000, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" => jobs = args.next().and_then(|v| v.parse().ok()).expect("--jobs N"),
            "--rounds" => {
                rounds = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .filter(|&r| r > 0)
                        .expect("--rounds N"),
                )
            }
            "--harness-only" => HARNESS_ONLY.store(true, std::sync::atomic::Ordering::Relaxed),
            "--keep-exchanges" => KEEP_EXCHANGES.store(true, std::sync::atomic::Ordering::Relaxed),
            "--flows" => flows = args.next().and_then(|v| v.parse().ok()).expect("--flows N"),
            "latency" | "flows" | "webhooks" | "load" | "scale" | "process" => phases.push(arg),
            other => {
                panic!(
                    "unknown argument {other}: phases are latency, flows, webhooks, load, scale, process"
                )
            }
        }
    }
    if phases.is_empty() {
        phases = ["latency", "flows", "webhooks", "load", "scale", "process"]
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
            "flows" => phase_flows(flows, jobs, rounds.unwrap_or(5)),
            "webhooks" => phase_webhooks(flows, jobs, rounds.unwrap_or(9)),
            "load" => phase_load(),
            "scale" => phase_scale(jobs),
            "process" => phase_process(flows, jobs, rounds.unwrap_or(7)),
            _ => unreachable!(),
        }
    }
}
