//! `mock --ready-file PATH`: a file that exists exactly while the mock
//! listens, holding its base URL, so that a script can wait for the mock
//! and tell a mock that never started (its process is gone, no file) from
//! one still starting.

use std::path::{Path, PathBuf};

/// The ready file of one mock.
#[derive(Debug)]
pub struct ReadyFile {
    path: PathBuf,
}

impl ReadyFile {
    /// Removes a file left at `path` (by an earlier mock, say); `Err` when
    /// there is one that cannot be removed, or `path` is a folder.
    pub fn clear(path: &Path) -> Result<ReadyFile, String> {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("--ready-file {}: {e}", path.display())),
        }
        Ok(ReadyFile {
            path: path.to_path_buf(),
        })
    }

    /// Writes `base_url` and a line break, whole: to a file beside it first,
    /// then renamed, so that whoever sees the file sees all of it.
    pub fn write(&self, base_url: &str) -> Result<(), String> {
        let mut partial = self.path.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        std::fs::write(&partial, format!("{base_url}\n"))
            .and_then(|()| std::fs::rename(&partial, &self.path))
            .map_err(|e| format!("--ready-file {}: {e}", self.path.display()))
    }

    /// Removes the file, when the mock stops.
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_file_is_cleared_first_then_written_whole_then_removed() {
        let dir = std::env::temp_dir().join(format!("ready-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mock.ready");
        std::fs::write(&path, "stale").unwrap();
        let ready = ReadyFile::clear(&path).unwrap();
        assert!(!path.exists(), "a stale file must go");
        ready.write("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "http://127.0.0.1:8080\n"
        );
        ready.remove();
        assert!(!path.exists());
        assert!(
            ReadyFile::clear(&dir).is_err(),
            "a folder is not a ready file"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
