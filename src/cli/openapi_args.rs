//! `veriff-conformance openapi`: the OpenAPI 3.1 document of Veriff's session
//! API, on standard output or into a file.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::closed_pipe::EXIT_CLOSED_PIPE;
use super::usage_error;
use crate::openapi::{OpenApiFormat, openapi_document};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct OpenApiArgs {
    /// The document's format.
    #[arg(long, value_enum, default_value = "yaml")]
    format: Format,
    /// Write the document to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: OpenApiArgs) -> ExitCode {
    let format = match args.format {
        Format::Yaml => OpenApiFormat::Yaml,
        Format::Json => OpenApiFormat::Json,
    };
    let text = match openapi_document(format) {
        Ok(text) => text,
        Err(e) => return usage_error(e),
    };
    let written = match &args.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => match std::io::stdout().lock().write_all(text.as_bytes()) {
            // The reader is gone (`openapi | head`): quietly, as every command.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                return ExitCode::from(EXIT_CLOSED_PIPE as u8);
            }
            other => other.map_err(|e| format!("cannot write to standard output: {e}")),
        },
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}
