//! Drift: changes to the API after a recorded baseline, classified in the
//! library and reported by the binary.

mod classification;
mod cli;
mod rollup;
mod support;
