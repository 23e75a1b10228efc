//! `veriff-conformance verify-webhook`: one captured delivery checked, rule
//! by rule, as a receiver should check it.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use super::usage_error;
use crate::mask::Masker;
use crate::receiver::verify::{CapturedDelivery, MAX_DELIVERY_BYTES, WebhookRule, verify_delivery};

#[derive(Debug, Args)]
#[command(after_help = "\
Prints one line per rule (signature form, signature, x-auth-client, body) with ok or FAILED \
and what was found. With --log-entry, the delivery is one of the mock's log (`curl \
.../mock/webhooks/<id> | veriff-conformance verify-webhook --shared-secret S --log-entry -`); \
its X-AUTH-CLIENT is masked there, so it is checked only with --auth-client. Exit status: 0 when the delivery is valid, 1 when a rule fails, 2 for \
usage errors and unreadable input.")]
pub struct VerifyWebhookArgs {
    /// The integration's shared secret.
    #[arg(long, env = "VERIFF_SHARED_SECRET", hide_env_values = true)]
    shared_secret: String,
    /// The delivery's X-HMAC-SIGNATURE header, as it came.
    #[arg(
        long,
        value_name = "HEX",
        allow_hyphen_values = true,
        required_unless_present = "log_entry"
    )]
    signature: Option<String>,
    /// The integration's API key, which X-AUTH-CLIENT must equal (with --auth-client).
    #[arg(long, env = "VERIFF_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// The delivery's X-AUTH-CLIENT header, as it came (empty if it had none).
    #[arg(
        long,
        value_name = "VALUE",
        requires = "api_key",
        allow_hyphen_values = true
    )]
    auth_client: Option<String>,
    /// A delivery of the mock's log, as `GET /mock/webhooks/{id}` answers it (`-`:
    /// standard input): its body and X-HMAC-SIGNATURE are checked.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["file", "signature"])]
    log_entry: Option<PathBuf>,
    /// The delivery's body, byte for byte; standard input when absent.
    file: Option<PathBuf>,
}

/// How long a named pipe is given to get a writer before it is refused.
const PIPE_WRITER_WAIT: Duration = Duration::from_secs(2);

/// Opens the named pipe `path` without waiting for a writer (a plain open
/// would wait for ever), then waits at most [`PIPE_WRITER_WAIT`] for one:
/// its first bytes, or a read that would block, show it is there. Gives what
/// to read from, those first bytes included.
fn open_pipe(path: &Path, name: &str) -> Result<Box<dyn std::io::Read>, String> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt as _;
    let cannot = |e: std::io::Error| format!("cannot read {name}: {e}");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(OFlags::NONBLOCK.bits().cast_signed())
        .open(path)
        .map_err(cannot)?;
    let started = Instant::now();
    let mut first = vec![0; 64 * 1024];
    let n = loop {
        match file.read(&mut first) {
            // No writer yet (or one that left without writing anything).
            Ok(0) if started.elapsed() < PIPE_WRITER_WAIT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(0) => {
                return Err(format!(
                    "cannot read {name}: it is a named pipe that nothing wrote to within {} s",
                    PIPE_WRITER_WAIT.as_secs()
                ));
            }
            Ok(n) => break n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break 0,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cannot(e)),
        }
    };
    first.truncate(n);
    // A writer is there: from now on, read as from any pipe.
    let flags = rustix::fs::fcntl_getfl(&file).map_err(|e| cannot(e.into()))?;
    rustix::fs::fcntl_setfl(&file, flags - OFlags::NONBLOCK).map_err(|e| cannot(e.into()))?;
    Ok(Box::new(std::io::Cursor::new(first).chain(file)))
}

/// Reads at most [`MAX_DELIVERY_BYTES`] from a file or pipe (not a device or a folder).
fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, String> {
    let (name, reader): (String, Box<dyn std::io::Read>) = match file {
        Some(path) => {
            let name = path.display().to_string();
            let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {name}: {e}"))?;
            if meta.is_dir() {
                return Err(format!("cannot read {name}: it is a folder"));
            }
            use std::os::unix::fs::FileTypeExt as _;
            {
                let t = meta.file_type();
                if t.is_char_device() || t.is_block_device() || t.is_socket() {
                    return Err(format!(
                        "cannot read {name}: it is a device, not a file or a pipe"
                    ));
                }
            }
            if meta.file_type().is_fifo() {
                let pipe = open_pipe(path, &name)?;
                (name, pipe)
            } else {
                let f =
                    std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
                (name, Box::new(f))
            }
        }
        None => ("standard input".into(), Box::new(std::io::stdin().lock())),
    };
    let mut body = Vec::new();
    reader
        .take(MAX_DELIVERY_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if body.len() > MAX_DELIVERY_BYTES {
        return Err(format!(
            "{name} is larger than {} MiB, more than any delivery this tool checks",
            MAX_DELIVERY_BYTES / (1024 * 1024)
        ));
    }
    Ok(body)
}

/// The body and signature of the mock's log entry in `path` (`-`: standard input).
fn read_logged(path: &Path) -> Result<(Vec<u8>, String), String> {
    let (json, name) = if path.as_os_str() == "-" {
        (read_body(None)?, "standard input".to_string())
    } else {
        (
            read_body(Some(&path.to_path_buf()))?,
            path.display().to_string(),
        )
    };
    let logged = super::log_entry::read(&json, &name)?;
    Ok((logged.body, logged.signature))
}

pub fn run(args: VerifyWebhookArgs) -> ExitCode {
    if args.shared_secret.is_empty() {
        return usage_error("the shared secret is empty (--shared-secret or VERIFF_SHARED_SECRET)");
    }
    let api_key = args.api_key.as_deref().unwrap_or("");
    if args.auth_client.is_some() && api_key.is_empty() {
        return usage_error(
            "--auth-client needs the API key to compare with (--api-key or VERIFF_API_KEY)",
        );
    }
    let masker = Masker::new([args.shared_secret.as_str(), api_key]);
    let read = match &args.log_entry {
        Some(path) => read_logged(path),
        None => {
            read_body(args.file.as_ref()).map(|body| (body, args.signature.unwrap_or_default()))
        }
    };
    let (body, signature) = match read {
        Ok(read) => read,
        Err(e) => return usage_error(masker.mask(&e)),
    };
    let delivery = CapturedDelivery {
        body: &body,
        signature: &signature,
        auth_client: args.auth_client.as_deref().map(|a| (a, api_key)),
    };
    let verdicts = verify_delivery(&delivery, &args.shared_secret);
    let mut out = String::new();
    for v in &verdicts {
        // An unchecked rule keeps its place in the order of the rules.
        if v.rule == WebhookRule::Json && args.auth_client.is_none() {
            out.push_str(
                "-       x-auth-client   not checked: give --auth-client (and --api-key) to check it\n",
            );
        }
        let mark = if v.passed { "ok" } else { "FAILED" };
        out.push_str(&format!("{mark:<7} {:<15} {}\n", v.rule.name(), v.detail));
    }
    let failed = verdicts.iter().filter(|v| !v.passed).count();
    if failed == 0 {
        out.push_str("valid: the delivery meets every rule checked\n");
    } else {
        out.push_str(&format!(
            "invalid: {failed} rule{} failed\n",
            if failed == 1 { "" } else { "s" }
        ));
    }
    print!("{}", masker.mask(&out));
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
