//! `veriff-conformance sign`: the signature of a file's exact bytes, for
//! debugging signatures with curl.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::usage_error;
use crate::signing::sign_reader;

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
    // Streamed into the HMAC: memory stays constant whatever the size.
    let signature = match &args.file {
        Some(path) => {
            // A device never ends (`/dev/zero`) and a folder has no bytes:
            // only files and pipes (`<(printf ...)`) are read.
            match std::fs::metadata(path) {
                Ok(meta) if meta.is_dir() => {
                    return usage_error(format!("cannot sign {}: it is a folder", path.display()));
                }
                Ok(meta) if is_device(&meta) => {
                    return usage_error(format!(
                        "cannot sign {}: it is a device, not a file or a pipe",
                        path.display()
                    ));
                }
                Ok(_) => {}
                Err(e) => return usage_error(format!("cannot read {}: {e}", path.display())),
            }
            std::fs::File::open(path).and_then(|f| sign_reader(&args.shared_secret, f))
        }
        None => sign_reader(&args.shared_secret, std::io::stdin().lock()),
    };
    match signature {
        Ok(signature) => {
            println!("{signature}");
            ExitCode::SUCCESS
        }
        Err(e) => usage_error(format!(
            "cannot read {}: {e}",
            args.file
                .as_ref()
                .map_or("standard input".into(), |p| p.display().to_string())
        )),
    }
}

fn is_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    t.is_char_device() || t.is_block_device() || t.is_socket()
}
