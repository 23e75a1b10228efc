//! JSON Schemas named by `expect.schema`: read from local files only (never
//! fetched), compiled once per run, and cached with their error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::scenario::model::CompiledSchema;
use crate::scenario::source::Files;

/// A schema compiled, or why it cannot be used.
type Compiled = Result<Arc<CompiledSchema>, String>;

/// Compiled schemas by path; a schema that failed keeps its message, so it is
/// read and reported the same way by every step that names it. Shared by the
/// threads that load files: each schema is compiled once, by the first
/// thread that needs it, while the others wait for it.
#[derive(Debug)]
pub(super) struct Schemas {
    files: Files,
    compiled: Mutex<HashMap<PathBuf, Arc<OnceLock<Compiled>>>>,
}

impl Schemas {
    pub(super) fn new(files: Files) -> Self {
        Schemas {
            files,
            compiled: Mutex::new(HashMap::new()),
        }
    }

    /// The schema at `path`, compiled on first use; or why it cannot be used.
    pub(super) fn get(&self, path: &Path) -> Compiled {
        let slot = {
            // A thread that panicked while holding the lock left the map whole.
            let mut compiled = self
                .compiled
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match compiled.get(path) {
                Some(slot) => Arc::clone(slot),
                None => {
                    let slot = Arc::new(OnceLock::new());
                    compiled.insert(path.to_path_buf(), Arc::clone(&slot));
                    slot
                }
            }
        };
        slot.get_or_init(|| compile(self.files, path)).clone()
    }
}

/// Resolves `$ref`s to other files, locally.
struct LocalRetriever(Files);

impl jsonschema::Retrieve for LocalRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.scheme().as_str() != "file" {
            return Err(format!(
                "{} is not a local file: schemas are never fetched over the network",
                uri.as_str()
            )
            .into());
        }
        let path = self
            .0
            .path_of_uri(uri.as_str())
            .ok_or_else(|| format!("{} does not name a local file", uri.as_str()))?;
        let text = self
            .0
            .read(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?)
    }
}

fn compile(files: Files, path: &Path) -> Result<Arc<CompiledSchema>, String> {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = files
        .read(path)
        .map_err(|e| format!("cannot read schema {name}: {e}"))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("schema {name} is not JSON: {e}"))?;
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_base_uri(files.uri_of(path))
        .with_retriever(LocalRetriever(files))
        .build(&value)
        .map_err(|e| format!("schema {name} does not compile: {e}"))?;
    Ok(Arc::new(CompiledSchema { name, validator }))
}
