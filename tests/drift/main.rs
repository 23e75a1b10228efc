//! Drift: changes to the API after a recorded baseline, classified in the
//! library and reported by the binary.

mod classification;
mod cli;
mod folder;
mod rollup;
mod support;
mod webhooks;
