//! The patterns of `matches:` header rules and `$regex` matchers, compiled
//! once per run: the same pattern written in many scenarios is compiled once (a compiled regex
//! costs far more, in time and memory, than the text it is written in; its
//! clones would each get their own caches, so rules share it in an `Arc`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Compiled patterns by their text, with the error of one that does not
/// compile. Shared by the threads that load files.
#[derive(Debug, Default)]
pub(super) struct Regexes(Mutex<HashMap<String, Result<Arc<regex::Regex>, String>>>);

impl Regexes {
    /// `pattern` compiled, or the compiler's message.
    pub(super) fn get(&self, pattern: &str) -> Result<Arc<regex::Regex>, String> {
        let lock = || {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(compiled) = lock().get(pattern) {
            return compiled.clone();
        }
        // Compiled outside the lock; two threads may both compile a new
        // pattern, and either result is the same.
        let compiled = regex::Regex::new(pattern)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        lock().insert(pattern.to_string(), compiled.clone());
        compiled
    }
}
