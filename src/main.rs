#![forbid(unsafe_code)]
//! The `veriff-conformance` binary: a thin wrapper around the library's command line.

/// mimalloc rather than the system allocator: a run allocates and frees many
/// small values on several threads (requests, responses, parsed YAML), where
/// glibc's malloc spent about a sixth of the harness's CPU (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    veriff_conformance::main()
}
