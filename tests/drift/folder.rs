//! A baseline folder a run can trust: an empty or foreign folder is an
//! error, a scenario without a baseline file is counted as new (and denied
//! by --deny-drift), and a baseline is never compared with, or recorded
//! over, another kind of target.

use std::path::Path;
use std::process::Output;

use crate::support::{Change, SCENARIO, bin, mock, run_async, scratch, text};

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// `run` against the embedded mock with `args`.
fn embedded(args: &[&str]) -> Output {
    bin().arg("run").args(args).output().expect("runs")
}

#[test]
fn a_baseline_folder_without_a_baseline_file_is_an_error_naming_it() {
    let dir = scratch("empty-baseline");
    let out = embedded(&["--baseline", arg(&dir), "--deny-drift"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!(
            "error: baseline folder {}: the folder holds no baseline file",
            dir.display()
        )),
        "{all}"
    );
    assert!(!all.contains("test result"), "nothing runs: {all}");

    // Files, but none for these scenarios: the baseline of other specs.
    std::fs::create_dir_all(dir.join("other")).unwrap();
    std::fs::write(dir.join("other/thing.json"), "{}").unwrap();
    let out = embedded(&["--baseline", arg(&dir)]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("none of its 1 baseline files is for a scenario of this run"),
        "{all}"
    );
}

#[test]
fn scenarios_without_a_baseline_file_are_new_in_the_summary_and_fail_under_deny_drift() {
    let dir = scratch("new-denied").join("baseline");
    let two = [
        "submit::double_submit_is_rejected",
        "submit::valid_submit_of_a_created_session",
    ];
    let out = embedded(&["--record-baseline", arg(&dir), "submit::"]);
    assert!(out.status.success(), "{}", text(&out));
    std::fs::remove_file(dir.join("submit/double_submit_is_rejected.json")).unwrap();

    let out = embedded(&["--baseline", arg(&dir), "submit::"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        stdout.lines().last(),
        Some("drift: 0 breaking, 0 compatible, 1 new"),
        "{stdout}"
    );

    let out = embedded(&["--baseline", arg(&dir), "--deny-drift", "submit::"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(101), "{all}");
    let status = |name: &str| {
        all.lines()
            .find(|l| l.starts_with(&format!("test {name} ")))
            .and_then(|l| l.rsplit("... ").next())
            .map(str::to_string)
    };
    assert_eq!(status(two[0]).as_deref(), Some("FAILED"), "{all}");
    assert_eq!(status(two[1]).as_deref(), Some("ok"), "{all}");
    assert!(
        all.contains("1. drift scenario (new, denied by --deny-drift)\n       baseline: none: no baseline for this scenario"),
        "{all}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_of_the_embedded_mock_is_never_compared_with_a_base_url_or_the_reverse() {
    let root = scratch("kinds");
    let of_mock = root.join("of-mock");
    let out = embedded(&["--record-baseline", arg(&of_mock), SCENARIO, "--exact"]);
    assert!(out.status.success(), "{}", text(&out));
    let recorded = std::fs::read_to_string(of_mock.join("target.json")).unwrap();
    assert!(
        recorded.contains("\"kind\": \"embedded-mock\""),
        "{recorded}"
    );

    let server = mock(Change::Nothing).await;
    let out = run_async(
        &server.base_url(),
        server.config(),
        &["--baseline", arg(&of_mock), SCENARIO, "--exact"],
    )
    .await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!(
            "recorded against the embedded mock, but this run is against {}",
            server.base_url()
        )),
        "{all}"
    );
    assert!(all.contains("--overwrite-baseline-target"), "{all}");
    assert!(!all.contains("test result"), "nothing runs: {all}");

    let of_url = root.join("of-url");
    let out = run_async(
        &server.base_url(),
        server.config(),
        &["--record-baseline", arg(&of_url), SCENARIO, "--exact"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let out = embedded(&["--baseline", arg(&of_url), SCENARIO, "--exact"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!(
            "recorded against {}, but this run is against the embedded mock",
            server.base_url()
        )) && all.contains("set VERIFF_BASE_URL"),
        "{all}"
    );

    // Recording over the other kind needs the flag.
    let out = embedded(&["--record-baseline", arg(&of_url), SCENARIO, "--exact"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("give --overwrite-baseline-target"), "{all}");
    let out = embedded(&[
        "--record-baseline",
        arg(&of_url),
        "--overwrite-baseline-target",
        SCENARIO,
        "--exact",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let recorded = std::fs::read_to_string(of_url.join("target.json")).unwrap();
    assert!(
        recorded.contains("\"kind\": \"embedded-mock\""),
        "{recorded}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_host_or_an_old_baseline_without_its_target_is_a_warning_and_the_run_goes_on() {
    let dir = scratch("other-host").join("baseline");
    let first = mock(Change::Nothing).await;
    let out = run_async(
        &first.base_url(),
        first.config(),
        &["--record-baseline", arg(&dir), SCENARIO, "--exact"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let recorded = std::fs::read_to_string(dir.join("target.json")).unwrap();
    assert!(recorded.contains(&first.base_url()), "{recorded}");
    assert!(!recorded.contains(&first.config().api_key), "{recorded}");

    let second = mock(Change::Nothing).await;
    let out = run_async(
        &second.base_url(),
        second.config(),
        &["--baseline", arg(&dir), SCENARIO, "--exact"],
    )
    .await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains(&format!(
            "warning: the baseline in {} was recorded against {}, and this run is against {}",
            dir.display(),
            first.base_url(),
            second.base_url()
        )),
        "{all}"
    );

    std::fs::remove_file(dir.join("target.json")).unwrap();
    let out = run_async(
        &second.base_url(),
        second.config(),
        &["--baseline", arg(&dir), SCENARIO, "--exact"],
    )
    .await;
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("does not say what it was recorded against"),
        "{all}"
    );
}
