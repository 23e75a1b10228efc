//! The `process` phase: the figures a user sees, each of a whole process
//! (start-up and loading included) against a mock in another process on
//! loopback, as medians over several rounds that alternate the sides.

use super::*;

/// Where the four whole-process figures are held.
const WALL_OF_HURL: f64 = 1.0 / 3.0;
const CPU_OF_BARE: f64 = 1.5;
const LIST_MS: f64 = 30.0;
const PEAK_RSS_MB: f64 = 48.0;
/// Why the targets on 1,000 flows are not judged on another number.
const OTHER_FLOWS: &str = "the target is for 1,000 flows, the default of --flows";

/// `--bare-process BASE FLOWS JOBS`: the bare loop as a process of its own
/// (credentials from `VC_BENCH_MOCK_KEY` and `VC_BENCH_MOCK_SECRET`), so that
/// its CPU is measured as the harness's is. Exits 1 if a flow failed.
pub fn bare_process(mut args: impl Iterator<Item = String>) -> ExitCode {
    let (Some(base), Some(flows), Some(jobs)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: bench --bare-process BASE FLOWS JOBS");
        return ExitCode::from(2);
    };
    let bare = Bare::new(
        base,
        std::env::var("VC_BENCH_MOCK_KEY").expect("VC_BENCH_MOCK_KEY"),
        std::env::var("VC_BENCH_MOCK_SECRET").expect("VC_BENCH_MOCK_SECRET"),
    );
    let flows = flows.parse().expect("FLOWS");
    let jobs = jobs.parse().expect("JOBS");
    match bare_run(bare, flows, jobs, Workload::DoubleSubmit) {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// The wall time of `program args` with `env`, output discarded, and
/// whether it succeeded; `None` if it could not be started.
fn wall_of(
    program: &std::path::Path,
    args: &[String],
    env: &[(&str, &str)],
) -> Option<(f64, bool)> {
    let started = Instant::now();
    let status = silenced(program, args, env).status().ok()?;
    Some((started.elapsed().as_secs_f64(), status.success()))
}

/// The CPU of running the YAML parser alone over every file in `dir` (its
/// events read and dropped), the median of five passes: the floor under
/// loading with this parser.
fn parser_cost(dir: &std::path::Path) -> Duration {
    let texts: Vec<String> = std::fs::read_dir(dir)
        .expect("spec dir")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    let cpus = (0..5)
        .map(|_| {
            let cpu0 = process_cpu();
            let mut events = 0usize;
            for text in &texts {
                let mut options = granit_parser::Options::default();
                options.set_emit_comments(false);
                let parser = granit_parser::Parser::new_from_str_with_options(text, options);
                events += parser.map_while(Result::ok).count();
            }
            assert!(events > 0);
            process_cpu().saturating_sub(cpu0)
        })
        .collect();
    median(cpus)
}

/// The median of `f` over `v`; NaN when `v` is empty.
fn mid<T>(v: &[T], f: impl Fn(&T) -> f64) -> f64 {
    let mut x: Vec<f64> = v.iter().map(f).collect();
    x.sort_by(f64::total_cmp);
    x.get(x.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The range of `f` over `v`, as `low–high`.
fn range<T>(v: &[T], f: impl Fn(&T) -> f64, scale: f64, digits: usize) -> String {
    let x: Vec<f64> = v.iter().map(f).collect();
    let low = x.iter().copied().fold(f64::INFINITY, f64::min) * scale;
    let high = x.iter().copied().fold(f64::NEG_INFINITY, f64::max) * scale;
    format!("{low:.digits$}–{high:.digits$}")
}

/// `process`: `flows` double-submit flows (10 files) run by the binary, by
/// Hurl and by the bare loop, each as a process, `--jobs` in flight, and
/// `run --list` of them, `rounds` times in turn; then 10,000 such scenarios
/// (100 files) run by the binary, for its peak RSS. Needs `cargo build
/// --release` and GNU time; Hurl when it is on `PATH`.
pub fn phase_process(flows: usize, jobs: usize, rounds: usize) {
    println!();
    let Some(ours) = our_binary() else {
        println!("process: build the binary first: cargo build --release");
        return;
    };
    let per_file = flows.div_ceil(10);
    let flows = per_file * 10;
    let yaml = write_flows("process", 10, per_file);
    let big = write_flows("process-10k", 100, 100);
    let one = write_flows("process-one", 1, 1);
    let hurl = on_path("hurl");
    let hurl_dir = write_hurl_flows(flows);
    let mock = ChildMock::start();
    let base = mock.target.base_url.clone().expect("base URL");
    let key = mock.target.api_key.clone().expect("key");
    let secret = mock.target.shared_secret.clone().expect("secret");

    let mut hurl_args: Vec<String> = vec!["--test".into(), "--jobs".into(), jobs.to_string()];
    let create_sig = sign(&secret, CREATE_BODY.as_bytes());
    let submit_sig = sign(&secret, SUBMIT_BODY.as_bytes());
    for (name, value) in [
        ("base", &base),
        ("key", &key),
        ("create_sig", &create_sig),
        ("submit_sig", &submit_sig),
    ] {
        hurl_args.extend(["--variable".into(), format!("{name}={value}")]);
    }
    let mut files: Vec<String> = std::fs::read_dir(&hurl_dir)
        .expect("hurl dir")
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .collect();
    files.sort();
    hurl_args.extend(files);
    let run_args = |dir: &std::path::Path| -> Vec<String> {
        vec![
            "run".into(),
            dir.display().to_string(),
            "--base-url".into(),
            base.clone(),
            "--target-is-mock".into(),
            "--jobs".into(),
            jobs.to_string(),
            "-q".into(),
        ]
    };
    let our_args = run_args(&yaml);
    let mut list_args = our_args.clone();
    list_args.push("--list".into());
    let our_env = [
        ("VERIFF_API_KEY", key.as_str()),
        ("VERIFF_SHARED_SECRET", secret.as_str()),
    ];
    let bare_args: Vec<String> = vec![
        "--bare-process".into(),
        base.clone(),
        flows.to_string(),
        jobs.to_string(),
    ];
    let bare_env = [
        ("VC_BENCH_MOCK_KEY", key.as_str()),
        ("VC_BENCH_MOCK_SECRET", secret.as_str()),
    ];
    let this = std::env::current_exe().expect("this program");

    // Warm the page cache and the mock's connections' first use.
    let _ = wall_of(&ours, &our_args, &our_env);
    let (mut runs, mut hurls, mut bares, mut lists) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        runs.extend(timed(&ours, &our_args, &our_env));
        if let Some(hurl) = &hurl {
            hurls.extend(timed(hurl, &hurl_args, &[]));
        }
        bares.extend(timed(&this, &bare_args, &bare_env));
        lists.extend(wall_of(&ours, &list_args, &our_env));
    }
    let big_args = run_args(&big);
    let bigs: Vec<Timed> = (0..3.min(rounds))
        .filter_map(|_| timed(&ours, &big_args, &our_env))
        .collect();
    // Where that peak goes: what any run holds (a listing of one scenario),
    // the spec text, and what loading and then running add.
    let listing = |dir: &std::path::Path| {
        let mut args = run_args(dir);
        args.push("--list".into());
        (0..3.min(rounds))
            .filter_map(|_| timed(&ours, &args, &our_env))
            .collect::<Vec<Timed>>()
    };
    let (big_lists, one_lists) = (listing(&big), listing(&one));
    let text_mb = std::fs::read_dir(&big)
        .expect("spec dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len() as f64)
        .sum::<f64>()
        / (1024.0 * 1024.0);
    mock.stop();
    let (_, load_cpu) = load_cost(&yaml);
    let parse_cpu = parser_cost(&yaml);
    for dir in [&yaml, &big, &one, &hurl_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }

    println!(
        "process: {flows} double-submit flows (10 files; {} requests), --jobs {jobs}, each side a whole process against a mock in another process, median of {rounds} rounds (range in brackets)",
        flows * STEPS_PER_FLOW
    );
    println!("{:<44} {:>22} {:>22} {:>10}", "", "wall", "CPU", "peak RSS");
    let line = |what: String, v: &[Timed]| {
        println!(
            "{what:<44} {:>8.3} s ({:>11}) {:>8.3} s ({:>11}) {:>7.1} MB",
            mid(v, |t| t.wall),
            range(v, |t| t.wall, 1.0, 3),
            mid(v, |t| t.cpu),
            range(v, |t| t.cpu, 1.0, 3),
            mid(v, |t| t.max_rss_mb),
        )
    };
    let passed = |v: &[Timed]| v.iter().filter(|t| t.ok).count();
    line(
        format!(
            "veriff-conformance run ({}/{} passed)",
            passed(&runs),
            runs.len()
        ),
        &runs,
    );
    if hurl.is_some() {
        line(
            format!("hurl --test ({}/{} passed)", passed(&hurls), hurls.len()),
            &hurls,
        );
    }
    line(
        format!(
            "bare reqwest loop ({}/{} passed)",
            passed(&bares),
            bares.len()
        ),
        &bares,
    );
    let listed = lists.iter().filter(|(_, ok)| *ok).count();
    println!(
        "{:<44} {:>8.1} ms ({:>10})",
        format!(
            "veriff-conformance run --list ({listed}/{} ok)",
            lists.len()
        ),
        mid(&lists, |l| l.0 * 1e3),
        range(&lists, |l| l.0 * 1e3, 1.0, 1),
    );
    line(
        format!(
            "run of 10,000 scenarios ({}/{} passed)",
            passed(&bigs),
            bigs.len()
        ),
        &bigs,
    );

    let (ours_cpu, bare_cpu) = (mid(&runs, |t| t.cpu), mid(&bares, |t| t.cpu));
    let load_s = load_cpu.as_secs_f64();
    let parse_s = parse_cpu.as_secs_f64();
    println!(
        "  where the binary's CPU goes (loading measured again in this process, median of 5): loading the {flows} scenarios {:.0} ms, of which the YAML parser's own events {:.0} ms and building the model from them {:.0} ms; everything else (start-up, plan, the requests and checks, libtest, exit) {:.0} ms, against the bare loop's whole {:.0} ms",
        load_s * 1e3,
        parse_s * 1e3,
        (load_s - parse_s).max(0.0) * 1e3,
        (ours_cpu - load_s).max(0.0) * 1e3,
        bare_cpu * 1e3,
    );
    let (fixed, listed_mb, run_mb) = (
        mid(&one_lists, |t| t.max_rss_mb),
        mid(&big_lists, |t| t.max_rss_mb),
        mid(&bigs, |t| t.max_rss_mb),
    );
    println!(
        "  where the peak RSS of 10,000 scenarios goes (medians of 3): {fixed:.1} MB for any run (a listing of one scenario); the spec text, {text_mb:.1} MB, and the loaded model bring a listing of all to {listed_mb:.1} MB (model about {:.1} MB); running them adds {:.1} MB",
        (listed_mb - fixed - text_mb).max(0.0),
        (run_mb - listed_mb).max(0.0),
    );
    let complete = |v: &[Timed], n: usize| v.len() == n && v.iter().all(|t| t.ok);
    let runs_ok = complete(&runs, rounds);
    let wall_ratio = mid(&runs, |t| t.wall) / mid(&hurls, |t| t.wall);
    target(
        "wall time at most 1/3 of Hurl's",
        if flows != 1000 {
            Err(OTHER_FLOWS)
        } else if hurl.is_none() {
            Err("`hurl` is not on PATH; docs/performance.md says how to install it")
        } else if !(runs_ok && complete(&hurls, rounds)) {
            Err("a run failed, or GNU time is not at /usr/bin/time")
        } else {
            Ok(wall_ratio <= WALL_OF_HURL)
        },
        &format!("{wall_ratio:.2} of Hurl's"),
    );
    let cpu_ratio = mid(&runs, |t| t.cpu) / mid(&bares, |t| t.cpu);
    target(
        "CPU at most 1.5x the bare reqwest loop's",
        if flows != 1000 {
            Err(OTHER_FLOWS)
        } else if runs_ok && complete(&bares, rounds) {
            Ok(cpu_ratio <= CPU_OF_BARE)
        } else {
            Err("a run failed, or GNU time is not at /usr/bin/time")
        },
        &format!("{cpu_ratio:.2}x"),
    );
    let list_ms = mid(&lists, |l| l.0 * 1e3);
    target(
        "run --list of 1,000 scenarios under 30 ms",
        if flows != 1000 {
            Err(OTHER_FLOWS)
        } else if listed == rounds {
            Ok(list_ms < LIST_MS)
        } else {
            Err("a listing failed")
        },
        &format!("{list_ms:.1} ms"),
    );
    let peak = mid(&bigs, |t| t.max_rss_mb);
    target(
        "peak RSS under 48 MB running 10,000 scenarios",
        if !bigs.is_empty() && bigs.iter().all(|t| t.ok) {
            Ok(peak < PEAK_RSS_MB)
        } else {
            Err("the run did not pass, or GNU time is not at /usr/bin/time")
        },
        &format!("{peak:.1} MB"),
    );
}
