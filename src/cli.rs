//! The command line: `run`, `receiver`, `sign`, `verify-webhook`, `mock` and `openapi`.

mod closed_pipe;
mod libtest_args;
mod log_entry;
mod mock_args;
mod openapi_args;
mod ready_file;
mod receiver_args;
mod run_args;
mod shared_run_args;
mod sign;
mod verify_webhook_args;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::run::usage_error;

/// Contract and conformance tests for Veriff's session API.
#[derive(Debug, Parser)]
#[command(name = "veriff-conformance", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios against a base URL (or, without one, the embedded mock).
    Run(Box<run_args::RunArgs>),
    /// Run the built-in webhook receiver suite against your receiver's URLs (a test environment).
    Receiver(Box<receiver_args::ReceiverArgs>),
    /// Print the lowercase hex HMAC-SHA256 of a file's exact bytes (standard input without FILE).
    Sign(sign::SignArgs),
    /// Check a captured webhook delivery: its signature, X-AUTH-CLIENT and body (standard input without FILE).
    VerifyWebhook(verify_webhook_args::VerifyWebhookArgs),
    /// Serve the embedded mock of the session API until stopped.
    Mock(mock_args::MockArgs),
    /// Print an OpenAPI 3.1 document of Veriff's session API (YAML; --format json).
    Openapi(openapi_args::OpenApiArgs),
}

/// Parses the command line and runs the command; returns the process exit status.
pub fn main() -> ExitCode {
    closed_pipe::exit_quietly_on_closed_pipe();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run_args::run(*args),
        Command::Receiver(args) => receiver_args::run(*args),
        Command::Sign(args) => sign::run(args),
        Command::VerifyWebhook(args) => verify_webhook_args::run(args),
        Command::Mock(args) => mock_args::run(args),
        Command::Openapi(args) => openapi_args::run(args),
    }
}
