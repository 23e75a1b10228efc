//! What a phase measures: this process's CPU and memory from `/proc`, another
//! process's from GNU time, and how figures are printed.

use super::*;

// ---------------------------------------------------------------- /proc

/// The CPU time of every thread of the process, ended ones too, in nanoseconds.
pub fn process_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// The CPU time of these (live) threads, in nanoseconds, from
/// `/proc/self/task/TID/schedstat` (its first field: time on a CPU).
pub fn threads_cpu(tids: &[u32]) -> Duration {
    tids.iter()
        .filter_map(|tid| std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok())
        .filter_map(|text| text.split_whitespace().next()?.parse::<u64>().ok())
        .map(Duration::from_nanos)
        .sum()
}

/// A `kB` line of `/proc/self/status`, in MB.
pub fn status_mb(key: &str) -> f64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets the peak RSS (VmHWM) to the current RSS (Linux 4.0+).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The id of the calling thread, from `/proc/thread-self` (`PID/task/TID`).
pub fn current_tid() -> Option<u32> {
    std::fs::read_link("/proc/thread-self")
        .ok()?
        .file_name()?
        .to_str()?
        .parse()
        .ok()
}

// ---------------------------------------------------------------- figures

/// What one measured phase cost.
pub struct Cost {
    pub wall: Duration,
    /// CPU of the process minus the mock's runtime threads.
    pub cpu: Duration,
    pub mock_cpu: Duration,
    pub rss_before: f64,
    pub peak_rss: f64,
}

pub fn row(what: &str, c: &Cost, steps: usize) {
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

pub fn header() {
    println!(
        "{:<34} {:>10} {:>10} {:>12} {:>10} {:>10}",
        "", "wall", "CPU", "CPU/step", "mock CPU", "peak RSS"
    );
}

/// The `veriff-conformance` binary beside this example, when it is built
/// and newer than every source it is built from (`cargo run --example`
/// does not rebuild it).
pub fn our_binary() -> Option<PathBuf> {
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

/// `program args` with `env` added, its output discarded.
pub fn silenced<A: AsRef<std::ffi::OsStr>>(
    program: &std::path::Path,
    args: &[A],
    env: &[(&str, &str)],
) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// One process's wall, CPU and peak RSS, as GNU time reports them.
pub struct Timed {
    pub ok: bool,
    pub wall: f64,
    pub cpu: f64,
    pub max_rss_mb: f64,
}

/// Runs `program args` under `/usr/bin/time` with `env`; `None` when either is missing.
pub fn timed(program: &std::path::Path, args: &[String], env: &[(&str, &str)]) -> Option<Timed> {
    let report = std::env::temp_dir().join(format!("vc-bench-{}-time", std::process::id()));
    // Wall time from this clock, finer than GNU time's centiseconds; it
    // includes starting GNU time itself (about a millisecond).
    let started = Instant::now();
    let mut under_time: Vec<std::ffi::OsString> = vec![
        "-o".into(),
        report.clone().into(),
        "-f".into(),
        "%U %S %M".into(),
        program.into(),
    ];
    under_time.extend(args.iter().map(Into::into));
    let status = silenced(std::path::Path::new("/usr/bin/time"), &under_time, env)
        .status()
        .ok()?;
    let wall = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&report).ok()?;
    let _ = std::fs::remove_file(&report);
    let f: Vec<f64> = text
        .lines()
        .last()?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    (f.len() == 3).then(|| Timed {
        ok: status.success(),
        wall,
        cpu: f[0] + f[1],
        max_rss_mb: f[2] / 1024.0,
    })
}

/// Where `name` is on `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
