//! The README's curl session (`examples/curl-session.sh`) works against the
//! mock served by the binary, as a user would run it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Stops the served mock however the test ends, a failed assertion included.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_readme_curl_session_creates_and_submits_a_session_on_the_served_mock() {
    let bin = env!("CARGO_BIN_EXE_veriff-conformance");
    let mut mock = KillOnDrop(
        Command::new(bin)
            .args([
                "mock",
                "--listen",
                "127.0.0.1:0",
                "--api-key",
                "demo-api-key",
            ])
            .args(["--shared-secret", "demo-shared-secret"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the mock starts"),
    );
    let mut lines = BufReader::new(mock.0.stdout.take().expect("piped")).lines();
    let first = lines.next().expect("a first line").expect("text");
    let base = first.rsplit(' ').next().unwrap_or_default().to_string();

    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/curl-session.sh"
        ))
        .arg(&base)
        .env("VC", bin)
        .env_remove("VERIFF_API_KEY")
        .env_remove("VERIFF_SHARED_SECRET")
        .output()
        .expect("bash runs the example (it needs curl)");
    drop(mock);

    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let line = |prefix: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"))
            .to_string()
    };
    assert!(
        line("created:").contains(r#""status":"created""#),
        "{stdout}"
    );
    assert!(
        line("created:").contains(r#""vendorData":"user-42""#),
        "{stdout}"
    );
    assert!(
        line("submitted:").contains(r#""status":"submitted""#),
        "{stdout}"
    );
    assert_eq!(
        line("again:"),
        r#"again:     {"status":"fail","code":"1101","message":"Session has already been submitted"} (HTTP 400)"#
    );
}
