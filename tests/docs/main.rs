//! The documentation's examples, run: the curl session of `examples/` and
//! every shell block of `README.md` and `docs/*.md` marked as runnable
//! (docs/ci.md, "Tested blocks"), against mocks served by the binary.

mod curl_session;
mod provenance;
mod quoted_errors;
mod recipe_failure;
mod runnable_blocks;
mod support;
mod variables;
