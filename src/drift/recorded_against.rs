//! What a baseline was recorded against, kept beside its files in
//! `DIR/target.json`, so that a baseline of the embedded mock is never
//! silently compared with a run against Veriff, or the reverse:
//!
//! ```text
//! { "format": 1, "kind": "base-url", "origin": "https://stationapi.veriff.com" }
//! { "format": 1, "kind": "embedded-mock" }
//! ```
//!
//! A base URL is kept as its origin only: scheme, host and port, never
//! credentials, a path or a query. A folder without the file (recorded
//! before it existed) still loads, as recorded against an unknown target.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::baseline::BaselineError;
use crate::scenario::source::read_regular_file;

/// The file, directly in the baseline folder.
pub const TARGET_FILE: &str = "target.json";

/// The version of the file's format.
const FORMAT: u32 = 1;

/// What a run sends its requests to, as a baseline records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedAgainst {
    /// The embedded mock that `run` starts without a base URL.
    EmbeddedMock,
    /// A base URL, by its origin (`https://stationapi.veriff.com`).
    BaseUrl {
        /// Scheme, host and port.
        origin: String,
    },
}

/// The file as it is written: `kind` is `embedded-mock` or `base-url`,
/// and a base URL has its `origin`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: u32,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
}

impl RecordedAgainst {
    /// The target of a run against `base_url`; `embedded` when it is the
    /// embedded mock, whose address changes from run to run.
    pub fn of(base_url: &str, embedded: bool) -> RecordedAgainst {
        if embedded {
            return RecordedAgainst::EmbeddedMock;
        }
        let origin = reqwest::Url::parse(base_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| "an unreadable URL".into());
        RecordedAgainst::BaseUrl { origin }
    }

    /// How messages name it.
    pub fn describe(&self) -> String {
        match self {
            RecordedAgainst::EmbeddedMock => "the embedded mock".into(),
            RecordedAgainst::BaseUrl { origin } => origin.clone(),
        }
    }

    fn same_kind(&self, other: &RecordedAgainst) -> bool {
        matches!(
            (self, other),
            (RecordedAgainst::EmbeddedMock, RecordedAgainst::EmbeddedMock)
                | (
                    RecordedAgainst::BaseUrl { .. },
                    RecordedAgainst::BaseUrl { .. }
                )
        )
    }
}

/// The file of the baseline folder `dir`.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(TARGET_FILE)
}

/// Reads what the baseline in `dir` was recorded against; `None` when it does not say.
pub fn read(dir: &Path) -> Result<Option<RecordedAgainst>, BaselineError> {
    let file = file_in(dir);
    if !file.exists() {
        return Ok(None);
    }
    let error = |message: String| BaselineError {
        file: file.clone(),
        message,
        folder: false,
    };
    let text = read_regular_file(&file).map_err(|e| error(format!("cannot read it: {e}")))?;
    let parsed: File = serde_json::from_str(&text).map_err(|e| {
        error(format!(
            "{}:{}: {} (record the baseline again with --record-baseline)",
            e.line(),
            e.column(),
            e
        ))
    })?;
    if parsed.format != FORMAT {
        return Err(error(format!(
            "format {} is not the format this build reads ({FORMAT})",
            parsed.format
        )));
    }
    match (parsed.kind.as_str(), parsed.origin) {
        ("embedded-mock", None) => Ok(Some(RecordedAgainst::EmbeddedMock)),
        ("base-url", Some(origin)) => Ok(Some(RecordedAgainst::BaseUrl { origin })),
        (kind, _) => Err(error(format!(
            "`kind` is `{kind}`; expected `embedded-mock`, or `base-url` with an `origin`"
        ))),
    }
}

/// Writes what the baseline in `dir` is recorded against.
pub fn write(dir: &Path, target: &RecordedAgainst) -> Result<(), String> {
    let file = file_in(dir);
    let (kind, origin) = match target {
        RecordedAgainst::EmbeddedMock => ("embedded-mock", None),
        RecordedAgainst::BaseUrl { origin } => ("base-url", Some(origin.clone())),
    };
    let text = serde_json::to_string_pretty(&File {
        format: FORMAT,
        kind: kind.into(),
        origin,
    })
    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    std::fs::write(&file, format!("{text}\n"))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// Whether a run against `now` may compare with the baseline in `dir`
/// recorded against `recorded`: `Err` (a configuration error, nothing runs)
/// for the other kind of target, `Ok` with a warning for another server of
/// the same kind or an unknown target.
pub fn check_compare(
    dir: &Path,
    recorded: Option<&RecordedAgainst>,
    now: &RecordedAgainst,
) -> Result<Option<String>, String> {
    let dir = dir.display();
    let Some(recorded) = recorded else {
        return Ok(Some(format!(
            "the baseline in {dir} does not say what it was recorded against (it has no \
             {TARGET_FILE}); this run is against {}. Record it again to keep that with it",
            now.describe()
        )));
    };
    if !recorded.same_kind(now) {
        let how = match now {
            RecordedAgainst::EmbeddedMock => format!(
                "set VERIFF_BASE_URL (or --base-url), with its credentials, to compare with it; \
                 or record a baseline of the mock with --record-baseline {dir} \
                 --overwrite-baseline-target"
            ),
            RecordedAgainst::BaseUrl { .. } => format!(
                "run without a base URL (unset VERIFF_BASE_URL) to compare with it; or record a \
                 baseline of this server with --record-baseline {dir} --overwrite-baseline-target"
            ),
        };
        return Err(format!(
            "the baseline in {dir} was recorded against {}, but this run is against {}: \
             the differences would be the targets', not the API's. To proceed, {how}",
            recorded.describe(),
            now.describe()
        ));
    }
    Ok((recorded != now).then(|| {
        format!(
            "the baseline in {dir} was recorded against {}, and this run is against {}; \
             some drift may be the other server's",
            recorded.describe(),
            now.describe()
        )
    }))
}

/// Whether a run against `now` may record into `dir`, whose baseline was
/// recorded against `recorded`: not over the other kind of target unless
/// `overwrite` (`--overwrite-baseline-target`).
pub fn check_record(
    dir: &Path,
    recorded: Option<&RecordedAgainst>,
    now: &RecordedAgainst,
    overwrite: bool,
) -> Result<(), String> {
    match recorded {
        Some(recorded) if !recorded.same_kind(now) && !overwrite => Err(format!(
            "--record-baseline {}: it holds a baseline recorded against {}, and this run is \
             against {}; give --overwrite-baseline-target to replace it, or record into \
             another folder",
            dir.display(),
            recorded.describe(),
            now.describe()
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> RecordedAgainst {
        RecordedAgainst::of("https://user:pw@stationapi.veriff.com/v1?x=1", false)
    }

    #[test]
    fn a_base_url_is_kept_as_its_origin_without_credentials_path_or_query() {
        assert_eq!(
            sandbox(),
            RecordedAgainst::BaseUrl {
                origin: "https://stationapi.veriff.com".into()
            }
        );
        assert_eq!(
            RecordedAgainst::of("http://127.0.0.1:4000", false).describe(),
            "http://127.0.0.1:4000"
        );
        assert_eq!(
            RecordedAgainst::of("http://127.0.0.1:4000", true),
            RecordedAgainst::EmbeddedMock
        );
    }

    #[test]
    fn the_file_reads_back_what_was_written_and_its_absence_is_unknown() {
        let dir = std::env::temp_dir().join(format!("vc-recorded-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(read(&dir).unwrap(), None);
        write(&dir, &sandbox()).unwrap();
        assert_eq!(read(&dir).unwrap(), Some(sandbox()));
        let text = std::fs::read_to_string(file_in(&dir)).unwrap();
        assert!(text.contains("\"kind\": \"base-url\""), "{text}");
        std::fs::write(file_in(&dir), "{\"format\": 1, \"kind\": \"moon\"}").unwrap();
        let e = read(&dir).unwrap_err();
        assert!(
            e.to_string().contains("target.json: `kind` is `moon`"),
            "{e}"
        );
        std::fs::write(file_in(&dir), "{\"format\": 1,").unwrap();
        let e = read(&dir).unwrap_err();
        assert!(e.to_string().contains("target.json: 1:"), "{e}");
    }

    #[test]
    fn another_kind_of_target_is_an_error_and_another_host_a_warning() {
        let dir = Path::new("baseline");
        let mock = RecordedAgainst::EmbeddedMock;
        let e = check_compare(dir, Some(&sandbox()), &mock).unwrap_err();
        assert!(
            e.contains("recorded against https://stationapi.veriff.com, but this run is against the embedded mock")
                && e.contains("VERIFF_BASE_URL"),
            "{e}"
        );
        let e = check_compare(dir, Some(&mock), &sandbox()).unwrap_err();
        assert!(e.contains("--overwrite-baseline-target"), "{e}");
        let other = RecordedAgainst::of("https://other.example", false);
        let w = check_compare(dir, Some(&sandbox()), &other)
            .unwrap()
            .unwrap();
        assert!(w.contains("https://other.example"), "{w}");
        assert_eq!(check_compare(dir, Some(&mock), &mock), Ok(None));
        assert!(check_compare(dir, None, &mock).unwrap().is_some());

        assert!(check_record(dir, Some(&sandbox()), &mock, false).is_err());
        assert!(check_record(dir, Some(&sandbox()), &mock, true).is_ok());
        assert!(check_record(dir, Some(&sandbox()), &other, false).is_ok());
        assert!(check_record(dir, None, &mock, false).is_ok());
    }
}
