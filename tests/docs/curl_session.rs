//! The curl session of docs/mock.md (`examples/curl-session.sh`) works against
//! the mock served by the binary, as a user would run it.

use std::process::Command;

use crate::support::{BIN, ROOT, ServedMock};

#[test]
fn the_curl_session_creates_and_submits_a_session_on_the_served_mock() {
    let mock = ServedMock::start("demo-api-key", "demo-shared-secret");

    let out = Command::new("bash")
        .arg(format!("{ROOT}/examples/curl-session.sh"))
        .arg(&mock.base_url)
        .env("VC", BIN)
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
