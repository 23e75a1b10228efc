//! `verify-webhook FILE` where FILE is a pipe: one with a writer is read as
//! a file is; a named pipe nothing writes to is refused after a short wait,
//! instead of waiting for ever in `open`.

use std::io::Write as _;
use std::process::Stdio;

use veriff_conformance::signing::sign;

use crate::support::{bin, scratch, text};

const SECRET: &str = "pipe-test-secret";
const BODY: &str = r#"{"id":"f04bdb47-d3be-4b28-b028-a652feb060b5","code":7002}"#;

fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// `verify-webhook` of `path` with the signature of [`BODY`], nothing on standard input.
fn verify_webhook(path: &std::path::Path) -> std::process::Command {
    let mut command = bin();
    command
        .args([
            "verify-webhook",
            "--signature",
            &sign(SECRET, BODY.as_bytes()),
        ])
        .arg(path)
        .env("VERIFF_SHARED_SECRET", SECRET)
        .stdin(Stdio::null());
    command
}

#[test]
fn a_named_pipe_without_a_writer_is_a_usage_error_not_a_hang() {
    let dir = scratch("pipe-no-writer");
    let fifo = dir.join("body");
    mkfifo(&fifo);
    let out = verify_webhook(&fifo).output().expect("runs");
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains(&format!(
            "cannot read {}: it is a named pipe that nothing wrote to",
            fifo.display()
        )),
        "{shown}"
    );
    assert!(!shown.contains(SECRET), "{shown}");
}

#[test]
fn a_named_pipe_with_a_writer_is_read_to_its_end() {
    let dir = scratch("pipe-writer");
    let fifo = dir.join("body");
    mkfifo(&fifo);
    let child = verify_webhook(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // Opening the pipe to write waits until the command has opened it to read.
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open the pipe to write");
    writer.write_all(&BODY.as_bytes()[..10]).expect("write");
    writer.flush().expect("flush");
    writer.write_all(&BODY.as_bytes()[10..]).expect("write");
    drop(writer);
    let out = child.wait_with_output().expect("ends");
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("valid: the delivery meets every rule checked"),
        "{shown}"
    );
}

#[test]
fn process_substitution_gives_a_pipe_that_is_read() {
    // bash, as CI runs it, gives `<(...)` as /dev/fd/N, a pipe.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(r#""$0" verify-webhook --signature "$1" <(printf '%s' "$2")"#)
        .arg(env!("CARGO_BIN_EXE_veriff-conformance"))
        .arg(sign(SECRET, BODY.as_bytes()))
        .arg(BODY)
        .env("VERIFF_SHARED_SECRET", SECRET)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("valid: the delivery meets every rule checked"),
        "{shown}"
    );
}
