//! The `latency`, `flows` and `load` phases, all in this process.

use super::*;

/// `latency`: the built-in suite against a mock with 100 ms of latency per
/// request, beside its longest chain of steps.
pub fn phase_latency(jobs: usize) {
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

/// `flows`: the bare loop and the harness in turn on the same flows, in this
/// process against the embedded mock; the harness's CPU per step beside the loop's.
pub fn phase_flows(flows: usize, jobs: usize, rounds: usize) {
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
pub fn load_cost(dir: &std::path::Path) -> (Duration, Duration) {
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

/// `load`: loading 1,000 and 10,000 scenarios in this process; wall, CPU and peak RSS.
pub fn phase_load() {
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
