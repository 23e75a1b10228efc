//! The files and folders a run writes, checked before anything runs: a run
//! that could not write its JUnit report, its drift report or its baseline
//! would otherwise send every request and fail only at the end.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// Checks that each `(flag, file)` can be written and that `baseline_dir`
/// (`--record-baseline`) can be created and written in; the error names the
/// flag and the path. A file that does not exist yet is created and removed
/// again; an existing file is opened for appending, and left as it is. The
/// baseline folder is created, as recording would.
pub fn check(files: &[(&str, &Path)], baseline_dir: Option<&Path>) -> Result<(), String> {
    for (flag, file) in files {
        writable_file(file).map_err(|why| format!("{flag} {}: {why}", file.display()))?;
    }
    if let Some(dir) = baseline_dir {
        writable_dir(dir).map_err(|why| format!("--record-baseline {}: {why}", dir.display()))?;
    }
    Ok(())
}

fn writable_file(file: &Path) -> Result<(), String> {
    if file.is_dir() {
        return Err("is a folder; give a file name".into());
    }
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(format!(
            "the folder {} does not exist; create it first",
            parent.display()
        ));
    }
    if blocks_when_opened(file) {
        return Err(
            "is a pipe or a socket, which could wait for ever for a reader; give a file".into(),
        );
    }
    if file.exists() {
        OpenOptions::new()
            .append(true)
            .open(file)
            .map(drop)
            .map_err(|e| format!("cannot be written ({e})"))
    } else {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(file)
            .map_err(|e| format!("cannot be created ({e})"))?;
        std::fs::remove_file(file).map_err(|e| format!("cannot be written ({e})"))
    }
}

/// Whether `file` is a named pipe or a socket: opening one to write can wait
/// for a reader that never comes. Devices such as `/dev/null` are fine.
#[cfg(unix)]
fn blocks_when_opened(file: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(file).is_ok_and(|m| m.file_type().is_fifo() || m.file_type().is_socket())
}

#[cfg(not(unix))]
fn blocks_when_opened(_file: &Path) -> bool {
    false
}

fn writable_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err("is a file, not a folder".into());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot be created ({e})"))?;
    let probe = dir.join(format!(".veriff-conformance-probe-{}", std::process::id()));
    writable_file(&probe).map_err(|_| "cannot be written in".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vc-outputs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_in_a_missing_folder_or_a_folder_is_refused_naming_the_flag_and_path() {
        let dir = scratch("refused");
        let missing = dir.join("no/such/junit.xml");
        let e = check(&[("--junit", &missing)], None).unwrap_err();
        assert!(
            e.starts_with(&format!("--junit {}: the folder", missing.display())),
            "{e}"
        );
        let e = check(&[("--drift-report", &dir)], None).unwrap_err();
        assert!(e.contains("is a folder"), "{e}");
        let file = dir.join("file");
        std::fs::write(&file, "x").unwrap();
        let e = check(&[], Some(&file)).unwrap_err();
        assert!(
            e.starts_with("--record-baseline ") && e.contains("is a file"),
            "{e}"
        );
    }

    #[test]
    fn writable_paths_pass_and_are_left_as_they_were() {
        let dir = scratch("writable");
        let existing = dir.join("old.xml");
        std::fs::write(&existing, "kept").unwrap();
        let new = dir.join("new.xml");
        let baseline = dir.join("baseline/deeper");
        check(
            &[("--junit", &existing), ("--drift-report", &new)],
            Some(&baseline),
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&existing).unwrap(), "kept");
        assert!(!new.exists());
        assert!(baseline.is_dir());
        assert_eq!(std::fs::read_dir(&baseline).unwrap().count(), 0);
    }
}
