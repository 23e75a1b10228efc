//! The `scale` phase: 10,000 scenarios run through the library in this
//! process, the mock in another; the `process` phase has the binary's figure.

use super::*;

/// `scale`: a run of 10,000 double-submit scenarios (100 files) in this
/// process; wall, CPU and peak RSS.
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
    mock.stop();
    let _ = std::fs::remove_dir_all(&dir);
    println!();
    println!(
        "scale: 10,000 double-submit scenarios, --jobs {jobs}, the mock in another process (exit {code:?})"
    );
    header();
    row("harness (in this process)", &cost, 10_000 * STEPS_PER_FLOW);
}
