#![forbid(unsafe_code)]
//! The `veriff-conformance` binary: a thin wrapper around the library's command line.

fn main() -> std::process::ExitCode {
    veriff_conformance::cli::main()
}
