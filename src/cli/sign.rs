//! `veriff-conformance sign`: the signature of a file's exact bytes, for
//! debugging signatures with curl.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::usage_error;
use crate::signing::sign;

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The integration's shared secret.
    #[arg(long, env = "VERIFF_SHARED_SECRET", hide_env_values = true)]
    shared_secret: String,
    /// The file to sign, byte for byte; standard input when absent.
    file: Option<PathBuf>,
}

pub fn run(args: SignArgs) -> ExitCode {
    if args.shared_secret.is_empty() {
        return usage_error("the shared secret is empty (--shared-secret or VERIFF_SHARED_SECRET)");
    }
    let bytes = match &args.file {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return usage_error(format!("cannot read {}: {e}", path.display())),
        },
        None => {
            let mut bytes = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
                return usage_error(format!("cannot read standard input: {e}"));
            }
            bytes
        }
    };
    println!("{}", sign(&args.shared_secret, &bytes));
    ExitCode::SUCCESS
}
