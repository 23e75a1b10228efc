//! Shared helpers for the command-line tests: the built binary without the
//! user's Veriff variables, what it printed, and scratch folders.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The binary, without the user's Veriff variables and without colour.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_veriff-conformance"));
    for var in ["VERIFF_BASE_URL", "VERIFF_API_KEY", "VERIFF_SHARED_SECRET"] {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Standard output and standard error, together.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A fresh folder for one test's files. `name` is unique among the tests of
/// this binary (the modules prefix theirs), as they run in one process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// A plain HTTP client, with the crypto provider reqwest needs installed.
pub fn http_client() -> reqwest::Client {
    veriff_conformance::install_crypto_provider();
    reqwest::Client::new()
}
