//! A verdict a CI gate can trust: a run that checked nothing is not green,
//! and a broken set-up is one clear error, not dozens of failures.

use std::process::{Output, Stdio};

use crate::support::{bin, text};

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

#[test]
fn a_filter_that_selects_no_scenario_is_an_error_naming_the_filter() {
    let out = run(&["run", "nope"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("error: no scenario matches the filter `nope`"),
        "{all}"
    );
    assert!(all.contains("--no-tests=warn"), "{all}");
    assert!(!all.contains("running 0 tests"), "nothing runs: {all}");

    let out = run(&["run", "nope", "--no-tests=warn"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("warning: no scenario matches the filter `nope`"),
        "{all}"
    );

    let out = run(&["run", "nope", "--no-tests", "pass"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(!all.contains("no scenario matches"), "{all}");
}

#[test]
fn an_empty_shard_is_not_a_filter_that_selects_nothing() {
    let out = run(&[
        "run",
        "submit::double_submit_is_rejected",
        "--exact",
        "--partition",
        "count:2/2",
    ]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("running 0 tests"), "{all}");
}

#[test]
fn a_closed_standard_output_ends_the_run_quietly_with_status_141() {
    for args in [&["run"][..], &["run", "--list"]] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        // Closed before anything is written: the first write meets a closed pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("it ends");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_output_path_that_cannot_be_written_is_exit_2_before_any_request() {
    let server = wiremock::MockServer::start().await;
    let dir = crate::support::scratch("verdict-outputs");
    let missing = dir.join("no-such-folder/out.xml");
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let cases: [(&str, &std::path::Path, String); 3] = [
        (
            "--junit",
            &missing,
            format!(
                "error: --junit {}: the folder {} does not exist",
                missing.display(),
                dir.join("no-such-folder").display()
            ),
        ),
        (
            "--junit",
            &dir,
            format!("error: --junit {}: is a folder", dir.display()),
        ),
        (
            "--record-baseline",
            &file,
            format!(
                "error: --record-baseline {}: is a file, not a folder",
                file.display()
            ),
        ),
    ];
    for (flag, path, says) in cases {
        let base = server.uri();
        let path = path.to_path_buf();
        let out = tokio::task::spawn_blocking(move || {
            bin()
                .args(["run", "--base-url", &base])
                .args([
                    "--api-key",
                    "outputs-key",
                    "--shared-secret",
                    "outputs-secret",
                ])
                .arg(flag)
                .arg(&path)
                .output()
                .expect("the binary runs")
        })
        .await
        .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{all}");
        assert!(all.contains(&says), "{says}\n{all}");
    }
    let sent = server.received_requests().await.unwrap_or_default();
    assert!(sent.is_empty(), "{} requests were sent", sent.len());
}
