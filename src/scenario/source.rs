//! Spec sources: the text of a loaded file and where its neighbours (JSON
//! Schemas, `$ref`s) are read from, on disk or from the suite embedded in the binary.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One loaded text file, kept whole so that errors can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in messages and used in trial names, e.g. `specs/submit.yaml`.
    pub name: String,
    /// Where it was read from; relative paths in the spec resolve against its folder.
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
}

impl SourceFile {
    /// A source file with the given display name, path and text.
    ///
    /// ```
    /// use veriff_conformance::SourceFile;
    /// let f = SourceFile::new("a.yaml", "a.yaml", "x: 1\ny: 2\n");
    /// assert_eq!(f.offset_of(2, 1), Some(5));
    /// assert_eq!(f.line_col(5), (2, 1));
    /// ```
    pub fn new(
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        text: impl Into<String>,
    ) -> Arc<Self> {
        Arc::new(SourceFile {
            name: name.into(),
            path: path.into(),
            text: text.into(),
        })
    }

    /// Byte offset of a 1-based line and (character) column.
    pub fn offset_of(&self, line: usize, column: usize) -> Option<usize> {
        let line_start = if line <= 1 {
            0
        } else {
            self.text
                .match_indices('\n')
                .nth(line - 2)
                .map(|(i, _)| i + 1)?
        };
        let line_text = &self.text[line_start..];
        let line_text = &line_text[..line_text.find('\n').unwrap_or(line_text.len())];
        let col_offset = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(line_text.len());
        Some(line_start + col_offset)
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The byte range of the token that starts at `offset`: up to the end of
    /// the line or the first space, at least one character.
    pub fn token_at(&self, offset: usize) -> std::ops::Range<usize> {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let rest = &self.text[offset..];
        let len = rest
            .find(['\n', '\r'])
            .unwrap_or(rest.len())
            .min(rest.find(' ').filter(|&i| i > 0).unwrap_or(usize::MAX));
        let len = if len == 0 {
            rest.chars().next().map_or(0, char::len_utf8)
        } else {
            len
        };
        offset..offset + len
    }
}

impl SourceFile {
    /// `range` clamped to the text and widened to whole characters, so that it
    /// can be sliced and rendered whatever span a parser reported.
    ///
    /// ```
    /// use veriff_conformance::SourceFile;
    /// let f = SourceFile::new("a.yaml", "a.yaml", "k: ¡x");
    /// assert_eq!(f.snap(3..4), 3..5);
    /// assert_eq!(f.snap(4..99), 3..6);
    /// ```
    pub fn snap(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let len = self.text.len();
        let start = floor_char_boundary(&self.text, range.start.min(len));
        let mut end = range.end.clamp(start, len);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The most bytes read from one spec or schema file: 8 MiB. A bigger file is
/// an error naming the file and this limit.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Reads the text of a spec or schema file on disk, refusing what is not a
/// regular file (a FIFO would block, a device never ends) and what is larger
/// than [`MAX_FILE_BYTES`]. The file type is checked before the file is
/// opened, since opening a FIFO blocks; the read itself stops one byte past
/// the limit, so a file that grows or is swapped meanwhile is still bounded.
pub fn read_regular_file(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let too_large = || {
        Error::new(
            ErrorKind::FileTooLarge,
            format!(
                "larger than the {} MiB limit for spec and schema files",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    let not_regular = |kind: &str| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("not a regular file but {kind}; only regular files are read"),
        )
    };
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(file_kind(&meta.file_type())));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let file = std::fs::File::open(path)?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(not_regular(file_kind(&opened.file_type())));
    }
    // Room for the size the file has now (at most the limit), so that reading
    // does not grow the buffer step by step; a file that grew meanwhile is
    // still read, up to one byte past the limit.
    let expected = usize::try_from(opened.len().min(MAX_FILE_BYTES)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::new(ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
}

/// What kind of file a non-regular file is, for messages.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// Where spec files and their neighbours (schemas, `$ref`s) are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Files {
    /// The file system.
    Disk,
    /// The suite in `specs/`, compiled into the binary; paths are relative to the crate root.
    Embedded,
}

/// Every file under `specs/`, as `(path relative to the crate root, text)`.
pub static EMBEDDED_FILES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/embedded_specs.rs"));

impl Files {
    /// Reads the text of `path`.
    ///
    /// ```
    /// use std::path::Path;
    /// use veriff_conformance::Files;
    /// assert!(Files::Embedded.read(Path::new("specs/no-such-file.yaml")).is_err());
    /// ```
    pub fn read(self, path: &Path) -> std::io::Result<String> {
        match self {
            Files::Disk => read_regular_file(path),
            Files::Embedded => {
                let wanted = normalize(path);
                EMBEDDED_FILES
                    .iter()
                    .find(|(name, _)| Path::new(name) == wanted)
                    .map(|(_, text)| text.to_string())
                    .ok_or_else(|| {
                        std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            format!("{} is not part of the embedded suite", path.display()),
                        )
                    })
            }
        }
    }

    /// The `file://` URI that names `path` as a schema base URI. Embedded
    /// files are placed under a virtual root: `specs/x.json` is `file:///specs/x.json`.
    ///
    /// ```
    /// use std::path::Path;
    /// use veriff_conformance::Files;
    /// let uri = Files::Embedded.uri_of(Path::new("specs/schemas/a b.json"));
    /// assert_eq!(uri, "file:///specs/schemas/a%20b.json");
    /// assert_eq!(Files::Embedded.path_of_uri(&uri).unwrap(), Path::new("specs/schemas/a b.json"));
    /// ```
    pub fn uri_of(self, path: &Path) -> String {
        let absolute = match self {
            Files::Disk if path.is_relative() => std::env::current_dir()
                .map(|d| normalize(&d.join(path)))
                .unwrap_or_else(|_| Path::new("/").join(path)),
            Files::Disk => normalize(path),
            Files::Embedded => Path::new("/").join(normalize(path)),
        };
        reqwest::Url::from_file_path(&absolute)
            .map(String::from)
            .unwrap_or_else(|()| format!("file:///{}", absolute.display()))
    }

    /// The path named by a `file://` URI made by [`Files::uri_of`].
    pub fn path_of_uri(self, uri: &str) -> Option<PathBuf> {
        let path = reqwest::Url::parse(uri).ok()?.to_file_path().ok()?;
        Some(match self {
            Files::Disk => path,
            Files::Embedded => path
                .strip_prefix("/")
                .map(Path::to_path_buf)
                .unwrap_or(path),
        })
    }
}

/// Resolves `.` and `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_refused_as_not_a_regular_file() {
        let err = read_regular_file(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn dot_and_dot_dot_are_resolved_without_the_file_system() {
        assert_eq!(
            normalize(Path::new("specs/a/../schemas/./x.json")),
            Path::new("specs/schemas/x.json")
        );
    }
}
