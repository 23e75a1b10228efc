//! Finding spec files: the embedded suite, or the files and folders a user names.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::SpecError;
use super::load::{Loader, Parsed, parse};
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

/// Loads the suite compiled into the binary (`specs/` of this crate).
///
/// ```
/// let loaded = veriff_conformance::spec::discover::load_embedded();
/// assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
/// assert!(!loaded.scenarios.is_empty());
/// ```
pub fn load_embedded() -> Loaded {
    let mut loader = Loader::new(Files::Embedded);
    let mut loaded = Loaded::default();
    let mut items = Vec::new();
    for (name, text) in EMBEDDED_FILES {
        let Some(relative) = name.strip_prefix("specs/") else {
            continue;
        };
        if !is_spec(Path::new(name)) {
            continue;
        }
        let file = SourceFile::new(*name, *name, *text);
        items.push(Item::File(file, without_extension(relative).to_string()));
    }
    load_all(&mut loader, items, &mut loaded);
    if loaded.files == 0 {
        loaded.errors.push(SpecError::bare(
            "the binary was built without any scenario in specs/",
        ));
    }
    drop_duplicate_trial_names(&mut loaded);
    loaded
}

/// Keeps the first scenario of each trial name and reports the others: two
/// files can give the same name (`a/x.yaml` and `b/x.yaml` passed as files, or
/// `x.yaml` beside `x.yml`), and libtest, JUnit and `--exact` need them unique.
fn drop_duplicate_trial_names(loaded: &mut Loaded) {
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut errors = Vec::new();
    loaded.scenarios.retain(|s| match seen.get(&s.trial_name) {
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
            seen.insert(s.trial_name.clone(), s.file.name.clone());
            true
        }
    });
    loaded.errors.extend(errors);
}

/// A spec file to load, with its trial-name prefix, or why it cannot be read.
enum Item {
    File(Arc<SourceFile>, String),
    Unreadable(SpecError),
}

/// Loads `items` in order. Their YAML (the costly, pure part) is parsed a
/// few files at a time, one file per core, and each batch is built in turn
/// before the next is parsed: scenarios, errors and trial names come out as
/// if one thread had done it all, and only one batch of parse trees is held
/// at once.
fn load_all(loader: &mut Loader, items: Vec<Item>, loaded: &mut Loaded) {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let mut batch = Vec::new();
        let mut files = 0;
        while files < threads
            && let Some(item) = items.next()
        {
            files += usize::from(matches!(item, Item::File(..)));
            batch.push(item);
        }
        let parsed: Vec<Option<Result<Parsed, SpecError>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|item| match item {
                    Item::File(file, _) => Some(scope.spawn(move || parse(file))),
                    Item::Unreadable(_) => None,
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.map(|h| {
                        h.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                })
                .collect()
        });
        for (item, parsed) in batch.into_iter().zip(parsed) {
            match (item, parsed) {
                (Item::File(file, prefix), Some(result)) => {
                    loaded.files += 1;
                    let (scenarios, errors) = loader.build(&file, result, &prefix);
                    loaded.scenarios.extend(scenarios);
                    loaded.errors.extend(errors);
                }
                (Item::Unreadable(error), _) => loaded.errors.push(error),
                // Every file of the batch was parsed above.
                (Item::File(..), None) => {}
            }
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

/// Loads the files named by `paths`; a folder is searched for `*.yaml` and
/// `*.yml`, following symlinks but walking each real folder once. Finding no
/// file at all is an error, not an empty run. Only regular files of at most
/// [`MAX_FILE_BYTES`](super::source::MAX_FILE_BYTES) are read: anything else
/// named, or found in a folder, is an error with its path.
///
/// ```
/// let loaded = veriff_conformance::spec::discover::load_paths(&["no/such/folder".into()]);
/// assert!(loaded.scenarios.is_empty());
/// assert!(loaded.errors[0].to_string().contains("no/such/folder"));
/// ```
pub fn load_paths(paths: &[PathBuf]) -> Loaded {
    let mut loader = Loader::new(Files::Disk);
    let mut loaded = Loaded::default();
    let mut items = Vec::new();
    for root in paths {
        let mut found = Vec::new();
        if root.is_dir() {
            if let Err(e) = walk(root, &mut HashSet::new(), &mut found) {
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
    load_all(&mut loader, items, &mut loaded);
    if loaded.files == 0 && loaded.errors.is_empty() {
        loaded
            .errors
            .push(SpecError::bare("no scenario files were given"));
    }
    drop_duplicate_trial_names(&mut loaded);
    loaded
}
