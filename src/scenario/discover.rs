//! Finding spec files: the embedded suite, or the files and folders a user names.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::error::SpecError;
use super::load::{Loader, parse};
use super::model::Scenario;
use super::source::{EMBEDDED_FILES, Files, SourceFile, read_regular_file};

/// Everything loaded for a run: the runnable scenarios and the problems found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Scenarios ready to run, in file order.
    pub scenarios: Vec<Scenario>,
    /// Spec errors; scenarios with errors are not in `scenarios`.
    pub errors: Vec<SpecError>,
    /// How many spec files were read.
    pub files: usize,
}

fn is_spec(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn without_extension(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(stem, _)| stem)
}

/// The suites compiled into the binary, from this crate's `specs/`.
///
/// ```
/// use veriff_conformance::{Suite, load_embedded};
/// assert_eq!(Suite::default(), Suite::Api);
/// // The API suite leaves the receiver suite out.
/// assert!(load_embedded().scenarios.iter().all(|s| !s.file.name.starts_with("specs/receiver/")));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Suite {
    /// The API suite, `veriff-conformance run`'s: `specs/` but `specs/receiver/`.
    #[default]
    Api,
    /// The webhook receiver suite, `veriff-conformance receiver`'s:
    /// `specs/receiver/`. Its trial names are relative to that folder.
    Receiver,
}

impl Suite {
    /// The folder of the embedded files that belong to the suite, which its
    /// trial names are relative to, and the folder under it that belongs to
    /// another suite, if any.
    fn folders(self) -> (&'static str, Option<&'static str>) {
        match self {
            Suite::Api => ("specs/", Some(RECEIVER_FOLDER)),
            Suite::Receiver => (RECEIVER_FOLDER, None),
        }
    }
}

const RECEIVER_FOLDER: &str = "specs/receiver/";

/// Loads the suite compiled into the binary (`specs/` of this crate).
///
/// ```
/// let loaded = veriff_conformance::load_embedded();
/// assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
/// assert!(!loaded.scenarios.is_empty());
/// ```
pub fn load_embedded() -> Loaded {
    load_suite(Suite::Api, &Loader::new(Files::Embedded))
}

/// Loads one of the suites compiled into the binary with `loader` (one
/// that knows the run values the suite uses, see [`Loader::with_run_values`]).
///
/// ```
/// use veriff_conformance::{Files, Loader, Suite, load_suite};
/// let loader = Loader::new(Files::Embedded)
///     .with_run_values(["decision_url", "event_url", "watchlist_url", "session_id"]);
/// let loaded = load_suite(Suite::Receiver, &loader);
/// assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
/// assert!(loaded.scenarios.iter().all(|s| !s.trial_name.starts_with("receiver/")));
/// ```
pub fn load_suite(suite: Suite, loader: &Loader) -> Loaded {
    let (folder, other) = suite.folders();
    let mut loaded = Loaded::default();
    let mut items = Vec::new();
    for (name, text) in EMBEDDED_FILES {
        let Some(relative) = name.strip_prefix(folder) else {
            continue;
        };
        if !is_spec(Path::new(name)) || other.is_some_and(|o| name.starts_with(o)) {
            continue;
        }
        let file = SourceFile::new(*name, *name, *text);
        items.push(Item::File(file, without_extension(relative).to_string()));
    }
    load_all(loader, items, &mut loaded);
    if loaded.files == 0 {
        loaded.errors.push(SpecError::bare(format!(
            "the binary was built without any scenario in {folder}"
        )));
    }
    drop_duplicate_trial_names(&mut loaded);
    loaded
}

/// Keeps the first scenario of each trial name and reports the others: two
/// files can give the same name (`a/x.yaml` and `b/x.yaml` passed as files, or
/// `x.yaml` beside `x.yml`), and libtest, JUnit and `--exact` need them unique.
fn drop_duplicate_trial_names(loaded: &mut Loaded) {
    // Borrowed names: no copy of every trial name is made to find the few
    // duplicates.
    let mut first: HashMap<&str, &str> = HashMap::with_capacity(loaded.scenarios.len());
    let mut errors = Vec::new();
    let keep: Vec<bool> = loaded
        .scenarios
        .iter()
        .map(|s| match first.get(s.trial_name.as_str()) {
            Some(first) => {
                errors.push(
                    SpecError::at(&s.file, s.at.clone(), format!("trial name `{}` is taken", s.trial_name))
                        .with_label("same trial name")
                        .with_help(format!(
                            "{first} already has a scenario with this trial name; rename one, or run the files from their common folder"
                        )),
                );
                false
            }
            None => {
                first.insert(&s.trial_name, &s.file.name);
                true
            }
        })
        .collect();
    drop(first);
    if !errors.is_empty() {
        let mut keep = keep.into_iter();
        loaded.scenarios.retain(|_| keep.next().unwrap_or(true));
    }
    loaded.errors.extend(errors);
}

/// A spec file to load, with its trial-name prefix, or why it cannot be read.
enum Item {
    File(Arc<SourceFile>, String),
    Unreadable(SpecError),
}

/// Loads `items`, one file per core at a time: each thread takes the next
/// file not yet taken, parses its YAML and builds its scenarios, and the
/// results are put back in file order. Scenarios, errors and trial names come
/// out as if one thread had done it all (schemas are compiled once, shared),
/// and only the parse trees of the files being loaded are held at once.
fn load_all(loader: &Loader, items: Vec<Item>, loaded: &mut Loaded) {
    type Built = (Vec<Scenario>, Vec<SpecError>);
    let load_one = |item: &Item| -> Option<Built> {
        match item {
            Item::File(file, prefix) => Some(loader.build(file, parse(file), prefix)),
            Item::Unreadable(_) => None,
        }
    };
    let files = items
        .iter()
        .filter(|item| matches!(item, Item::File(..)))
        .count();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(files);
    let mut built: Vec<Option<Built>> = if threads <= 1 {
        items.iter().map(load_one).collect()
    } else {
        let next = AtomicUsize::new(0);
        let mut done: Vec<(usize, Option<Built>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else {
                                return done;
                            };
                            done.push((i, load_one(item)));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| {
                    w.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        done.sort_unstable_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, built)| built).collect()
    };
    let total: usize = built.iter().flatten().map(|(s, _)| s.len()).sum();
    loaded.scenarios.reserve_exact(total);
    for (item, built) in items.into_iter().zip(built.drain(..)) {
        match (item, built) {
            (Item::File(..), Some((scenarios, errors))) => {
                loaded.files += 1;
                loaded.scenarios.extend(scenarios);
                loaded.errors.extend(errors);
            }
            (Item::Unreadable(error), _) => loaded.errors.push(error),
            // Every file was built above.
            (Item::File(..), None) => {}
        }
    }
}

/// Collects the spec files under `dir`, in name order, into `out`.
///
/// Symlinks are followed, to files and to folders alike, but each real folder
/// (by canonical path, in `walked`) is walked once: a link back up (`l -> .`)
/// or a second route to a folder already walked is skipped. So a folder of
/// links that loop ends, and the walk is linear in the number of real folders.
fn walk(dir: &Path, walked: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !walked.insert(std::fs::canonicalize(dir)?) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, walked, out)?;
        } else if is_spec(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The subfolder of a suite folder that holds the receiver suite.
const RECEIVER_SUBFOLDER: &str = "receiver";

/// Loads the files named by `paths`; a folder is searched for `*.yaml` and
/// `*.yml`, following symlinks but walking each real folder once, and
/// leaving out its `receiver/` subfolder (the receiver suite, which
/// `veriff-conformance receiver` runs). Finding no
/// file at all is an error, not an empty run. Only regular files of at most
/// [`MAX_FILE_BYTES`](super::source::MAX_FILE_BYTES) are read: anything else
/// named, or found in a folder, is an error with its path.
///
/// ```
/// let loaded = veriff_conformance::load_paths(&["no/such/folder".into()]);
/// assert!(loaded.scenarios.is_empty());
/// assert!(loaded.errors[0].to_string().contains("no/such/folder"));
/// ```
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let loader = Loader::new(Files::Disk);
    let mut loaded = Loaded::default();
    let mut items = Vec::new();
    for root in paths {
        let mut found = Vec::new();
        if root.is_dir() {
            // A suite folder's `receiver/` holds the receiver suite, which
            // `veriff-conformance receiver` runs, as in the embedded suites.
            let mut walked = HashSet::new();
            if let Ok(receiver) = std::fs::canonicalize(root.join(RECEIVER_SUBFOLDER)) {
                walked.insert(receiver);
            }
            if let Err(e) = walk(root, &mut walked, &mut found) {
                loaded.errors.push(SpecError::bare(format!(
                    "cannot read folder {}: {e}",
                    display(root)
                )));
                continue;
            }
            if found.is_empty() {
                loaded.errors.push(
                    SpecError::bare(format!(
                        "no scenario files (*.yaml, *.yml) in {}",
                        display(root)
                    ))
                    .with_help("point at a folder with scenario files, or at a file"),
                );
            }
        } else if root.exists() {
            found.push(root.clone());
        } else {
            loaded.errors.push(SpecError::bare(format!(
                "{}: no such file or folder",
                display(root)
            )));
            continue;
        }
        for path in found {
            let prefix = if root.is_dir() {
                display(path.strip_prefix(root).unwrap_or(&path))
            } else {
                display(Path::new(path.file_name().unwrap_or(path.as_os_str())))
            };
            let text = match read_regular_file(&path) {
                Ok(text) => text,
                Err(e) => {
                    items.push(Item::Unreadable(SpecError::bare(format!(
                        "cannot read {}: {e}",
                        display(&path)
                    ))));
                    continue;
                }
            };
            let file = SourceFile::new(display(&path), path.clone(), text);
            items.push(Item::File(file, without_extension(&prefix).to_string()));
        }
    }
    load_all(&loader, items, &mut loaded);
    if loaded.files == 0 && loaded.errors.is_empty() {
        loaded
            .errors
            .push(SpecError::bare("no scenario files were given"));
    }
    drop_duplicate_trial_names(&mut loaded);
    loaded
}
