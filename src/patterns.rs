//! Compiled regular expressions by their text, shared by the whole process.
//!
//! A pattern written in a thousand scenarios (`$regex`, a header's
//! `matches:`) is compiled once, when the first spec that uses it is loaded,
//! and every check shares that one compiled pattern, so that its matching
//! caches stay warm. Bounded: past [`MAX_CACHED_PATTERNS`] distinct patterns
//! (a pattern filled in from a response is new every time), a pattern is
//! compiled for its one use.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use regex::Regex;

/// How many distinct patterns are kept compiled.
pub const MAX_CACHED_PATTERNS: usize = 4096;

/// Compiled patterns by their text, at most `bound` of them.
#[derive(Default)]
struct Patterns {
    compiled: Mutex<HashMap<Box<str>, Arc<Regex>>>,
}

impl Patterns {
    fn get(&self, pattern: &str, bound: usize) -> Result<Arc<Regex>, regex::Error> {
        // Nothing panics while holding the lock; recover rather than panic.
        let lock = || self.compiled.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(re) = lock().get(pattern) {
            return Ok(Arc::clone(re));
        }
        // Compiled outside the lock: another thread may compile it too, and
        // the first to finish is kept.
        let re = Arc::new(Regex::new(pattern)?);
        let mut cache = lock();
        if let Some(other) = cache.get(pattern) {
            return Ok(Arc::clone(other));
        }
        if cache.len() < bound {
            cache.insert(pattern.into(), Arc::clone(&re));
        }
        Ok(re)
    }
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(Patterns::default);

/// `pattern`, compiled; from the process's cache when it was compiled before.
pub fn compiled(pattern: &str) -> Result<Arc<Regex>, regex::Error> {
    PATTERNS.get(pattern, MAX_CACHED_PATTERNS)
}

/// Whether `pattern` is in the process's cache.
#[cfg(test)]
pub(crate) fn is_cached(pattern: &str) -> bool {
    PATTERNS
        .compiled
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains_key(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_is_compiled_once_and_shared() {
        let patterns = Patterns::default();
        let a = patterns.get("^shared-[0-9]+$", 10).unwrap();
        let b = patterns.get("^shared-[0-9]+$", 10).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.is_match("shared-42") && !a.is_match("shared-x"));
    }

    #[test]
    fn an_invalid_pattern_is_an_error_and_not_kept() {
        let patterns = Patterns::default();
        assert!(patterns.get("(unclosed", 10).is_err());
        assert!(patterns.compiled.lock().unwrap().is_empty());
        assert!(compiled("(unclosed").is_err());
    }

    #[test]
    fn past_the_bound_a_pattern_is_compiled_for_its_one_use_only() {
        let patterns = Patterns::default();
        for i in 0..5 {
            let re = patterns.get(&format!("^bound-{i}$"), 3).unwrap();
            assert!(re.is_match(&format!("bound-{i}")));
        }
        assert_eq!(patterns.compiled.lock().unwrap().len(), 3);
        let (a, b) = (
            patterns.get("^bound-4$", 3).unwrap(),
            patterns.get("^bound-4$", 3).unwrap(),
        );
        assert!(!Arc::ptr_eq(&a, &b));
        let (c, d) = (
            patterns.get("^bound-0$", 3).unwrap(),
            patterns.get("^bound-0$", 3).unwrap(),
        );
        assert!(Arc::ptr_eq(&c, &d));
    }
}
