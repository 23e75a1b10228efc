//! Loading: YAML scenario files into a checked model that keeps source spans.

pub mod discover;
pub mod error;
pub mod load;
pub mod model;
pub mod raw;
pub mod source;
pub mod template;
