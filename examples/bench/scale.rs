//! The `scale` phase: 10,000 scenarios, in this process and as the binary.

use super::*;

pub fn phase_scale(jobs: usize) {
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
