//! Reading spec and schema files from disk when they are hostile: too big,
//! special files (devices, FIFOs), and folders whose symlinks loop. Every
//! case ends quickly with a clear error naming the path, or loads what is
//! there; nothing reads without bound or blocks.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use veriff_conformance::MAX_FILE_BYTES;
use veriff_conformance::{Loaded, load_paths};

const SPEC: &str = "scenarios:\n  - name: one\n    steps: [ { name: s, method: GET, path: /x } ]\n";

/// A fresh, empty folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-files-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Loads `paths` on another thread and fails if that takes more than 20
/// seconds: a loader that blocks on a FIFO or walks a loop fails the test
/// instead of hanging it.
fn load_within_time(paths: Vec<PathBuf>) -> (Vec<String>, Vec<String>) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let loaded: Loaded = load_paths(&paths);
        let names = loaded
            .scenarios
            .iter()
            .map(|s| s.trial_name.clone())
            .collect();
        let errors = loaded.errors.iter().map(|e| e.render_plain()).collect();
        let _ = tx.send((names, errors));
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("loading did not finish within 20 s: it blocked, or it walks without end")
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A spec whose one step names `schema` (written as is in the YAML).
fn spec_with_schema(schema: &str) -> String {
    format!(
        "scenarios:\n  - name: one\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect: {{ schema: \"{schema}\" }}\n"
    )
}

fn assert_one_error(errors: &[String], parts: &[&str]) {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    for part in parts {
        assert!(errors[0].contains(part), "`{part}` not in:\n{}", errors[0]);
    }
}

#[test]
fn the_limit_on_spec_and_schema_files_is_8_mib() {
    assert_eq!(MAX_FILE_BYTES, 8 * 1024 * 1024);
}

#[test]
fn a_spec_file_over_the_size_limit_is_refused_with_its_path_and_the_limit() {
    let dir = scratch("big-spec");
    let big = dir.join("big.yaml");
    // Sparse: costs no disk. Its first bytes are a valid spec, so only the size is wrong.
    let file = std::fs::File::create(&big).unwrap();
    std::fs::write(&big, SPEC).unwrap();
    file.set_len(MAX_FILE_BYTES + 1).unwrap();
    let (names, errors) = load_within_time(vec![big.clone()]);
    assert!(names.is_empty(), "{names:?}");
    assert_one_error(&errors, &[big.to_str().unwrap(), "8 MiB"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_spec_file_at_the_size_limit_is_read() {
    let dir = scratch("limit-spec");
    let path = dir.join("full.yaml");
    let mut text = SPEC.to_string();
    text.push_str(&"#".repeat(usize::try_from(MAX_FILE_BYTES).unwrap() - text.len()));
    std::fs::write(&path, text).unwrap();
    let (names, errors) = load_within_time(vec![path]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(names, ["full::one"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_schema_over_the_size_limit_is_refused_at_its_reference() {
    let dir = scratch("big-schema");
    let schema = dir.join("big.json");
    std::fs::write(&schema, "{}").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&schema)
        .unwrap()
        .set_len(MAX_FILE_BYTES + 1)
        .unwrap();
    std::fs::write(dir.join("s.yaml"), spec_with_schema("big.json")).unwrap();
    let (names, errors) = load_within_time(vec![dir.join("s.yaml")]);
    assert!(names.is_empty());
    assert_one_error(&errors, &["big.json", "8 MiB", "s.yaml:7:"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dev_zero_and_dev_urandom_as_a_spec_path_are_refused_without_reading() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let (names, errors) = load_within_time(vec![PathBuf::from(device)]);
        assert!(names.is_empty());
        assert_one_error(&errors, &[device, "not a regular file", "character device"]);
    }
}

#[test]
fn dev_zero_and_dev_urandom_as_a_schema_are_refused_without_reading() {
    let dir = scratch("dev-schema");
    for device in ["/dev/zero", "/dev/urandom"] {
        std::fs::write(dir.join("s.yaml"), spec_with_schema(device)).unwrap();
        let (names, errors) = load_within_time(vec![dir.join("s.yaml")]);
        assert!(names.is_empty());
        assert_one_error(&errors, &[device, "not a regular file", "s.yaml:7:"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fifo_given_as_a_schema_is_an_error_with_its_path_and_never_blocks() {
    let dir = scratch("fifo-schema");
    mkfifo(&dir.join("pipe.json"));
    std::fs::write(dir.join("s.yaml"), spec_with_schema("pipe.json")).unwrap();
    let (names, errors) = load_within_time(vec![dir.join("s.yaml")]);
    assert!(names.is_empty());
    assert_one_error(&errors, &["pipe.json", "not a regular file", "FIFO"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fifo_named_yaml_in_a_spec_folder_is_an_error_and_the_other_files_still_load() {
    let dir = scratch("fifo-folder");
    mkfifo(&dir.join("a-pipe.yaml"));
    std::fs::write(dir.join("b.yaml"), SPEC).unwrap();
    let (names, errors) = load_within_time(vec![dir.clone()]);
    assert_eq!(names, ["b::one"]);
    assert_one_error(
        &errors,
        &[
            dir.join("a-pipe.yaml").to_str().unwrap(),
            "not a regular file",
            "FIFO",
        ],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fifo_given_as_a_spec_path_is_an_error_and_never_blocks() {
    let dir = scratch("fifo-arg");
    let pipe = dir.join("pipe.yaml");
    mkfifo(&pipe);
    let (names, errors) = load_within_time(vec![pipe.clone()]);
    assert!(names.is_empty());
    assert_one_error(
        &errors,
        &[pipe.to_str().unwrap(), "not a regular file", "FIFO"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_socket_named_yaml_in_a_spec_folder_is_an_error() {
    let dir = scratch("socket");
    let _listener = std::os::unix::net::UnixListener::bind(dir.join("s.yaml")).unwrap();
    let (names, errors) = load_within_time(vec![dir.clone()]);
    assert!(names.is_empty());
    assert_one_error(&errors, &["s.yaml", "not a regular file", "socket"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn symlinks_that_point_back_up_are_walked_once_not_exponentially() {
    let dir = scratch("loop");
    std::fs::write(dir.join("x.yaml"), SPEC).unwrap();
    std::os::unix::fs::symlink(".", dir.join("l1")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("l2")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
    let (names, errors) = load_within_time(vec![dir.clone()]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(names, ["x::one"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_reached_by_many_symlink_routes_is_walked_once() {
    // Each level links twice to the next: 2^12 routes to the last folder.
    let dir = scratch("diamond");
    for level in 0..12 {
        let here = dir.join(format!("d{level}"));
        std::fs::create_dir_all(&here).unwrap();
        for link in ["a", "b"] {
            std::os::unix::fs::symlink(format!("../d{}", level + 1), here.join(link)).unwrap();
        }
    }
    std::fs::create_dir_all(dir.join("d12")).unwrap();
    std::fs::write(dir.join("d12/x.yaml"), SPEC).unwrap();
    let (names, errors) = load_within_time(vec![dir.join("d0")]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(names.len(), 1, "{names:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_symlinked_folder_that_is_not_a_loop_is_followed() {
    let dir = scratch("shared");
    std::fs::create_dir_all(dir.join("common")).unwrap();
    std::fs::create_dir_all(dir.join("suite")).unwrap();
    std::fs::write(dir.join("common/shared.yaml"), SPEC).unwrap();
    std::fs::write(dir.join("suite/own.yaml"), SPEC).unwrap();
    std::os::unix::fs::symlink("../common", dir.join("suite/linked")).unwrap();
    let (names, errors) = load_within_time(vec![dir.join("suite")]);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(names, ["linked/shared::one", "own::one"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_checkout_suite_folder_loads_as_the_embedded_api_suite_without_the_receiver_suite() {
    // `run specs/` from a checkout runs what `run` runs without paths.
    let from_disk = load_paths(&[PathBuf::from("specs")]);
    assert!(from_disk.errors.is_empty(), "{:?}", from_disk.errors);
    let mut on_disk: Vec<String> = from_disk
        .scenarios
        .iter()
        .map(|s| s.trial_name.clone())
        .collect();
    let mut embedded: Vec<String> = veriff_conformance::load_embedded()
        .scenarios
        .iter()
        .map(|s| s.trial_name.clone())
        .collect();
    on_disk.sort();
    embedded.sort();
    assert!(!embedded.is_empty());
    assert_eq!(on_disk, embedded);
    // Named itself, the receiver folder is read.
    let receiver = load_paths(&[PathBuf::from("specs/receiver")]);
    assert!(!receiver.scenarios.is_empty() || !receiver.errors.is_empty());
}
