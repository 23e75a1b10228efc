//! The error lines the docs quote are the program's own, word for word: each
//! command is run and its first line of standard error looked up in the page.

use std::process::Command;

use crate::support::{BIN, ROOT, fresh_dir, process_dir};

/// The first line `args` print on standard error, run in a fresh folder.
fn first_error_line(args: &[&str]) -> String {
    let dir = fresh_dir("quoted");
    let out = Command::new(BIN)
        .args(args)
        .current_dir(&dir)
        .env_remove("VERIFF_BASE_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr.lines().next().unwrap_or_default().to_string()
}

fn page(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(ROOT).join(name)).expect("the page")
}

#[test]
fn the_quoted_error_lines_are_those_the_program_prints() {
    let cases = [
        ("docs/cli.md", vec!["run", "nope"]),
        ("docs/drift.md", vec!["run", "--baseline", "baseline/"]),
    ];
    let mut wrong = Vec::new();
    for (file, args) in cases {
        let line = first_error_line(&args);
        assert!(line.starts_with("error: "), "{args:?}: {line}");
        if !page(file).contains(&line) {
            wrong.push(format!(
                "{file} does not quote what `veriff-conformance {}` prints:\n  {line}",
                args.join(" ")
            ));
        }
    }
    let _ = std::fs::remove_dir_all(process_dir().join("quoted"));
    let _ = std::fs::remove_dir(process_dir()); // when the other tests are done
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
