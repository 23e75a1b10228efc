//! The `hurl` phase: the binary and Hurl, each as a process, on the same flows.

use super::*;

/// `hurl`: the harness's binary and Hurl, each as its own process on the same
/// 1,000 flows against one mock in another process, `--jobs 16` for both.
/// Skipped (saying so) when `hurl` is not on `PATH` or the binary is not built.
pub fn phase_hurl(flows: usize, jobs: usize, rounds: usize) {
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
