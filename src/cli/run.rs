//! `veriff-conformance run`: load scenarios, run them as libtest trials, write JUnit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use libtest_mimic::Arguments;

use super::{EXIT_USAGE, usage_error};
use crate::exec::runner::Runner;
use crate::exec::target::{Target, check_url};
use crate::mock::{MockConfig, MockServer};
use crate::report::junit;
use crate::report::mask::Masker;
use crate::report::trials::{Record, Records, TrialContext, Verdict, trial};
use crate::spec::discover::{Loaded, load_embedded, load_paths};

#[derive(Debug, Args)]
#[command(help_template = "{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}")]
#[command(after_help = "\
PATHS are spec files or folders (searched for *.yaml and *.yml); without any, the suite \
compiled into the binary runs. A positional argument that is not an existing file or \
folder is the libtest name filter. Without a base URL the suite runs against the \
embedded mock, started on 127.0.0.1 with fresh credentials.

Exit status: 0 when all pass, 101 when a scenario fails, 2 for usage, configuration \
and spec errors.")]
pub struct RunArgs {
    /// Base URL of the API under test, e.g. https://stationapi.veriff.com (default: the embedded mock).
    #[arg(long, env = "VERIFF_BASE_URL")]
    base_url: Option<String>,
    /// The integration's API key, sent as X-AUTH-CLIENT.
    #[arg(long, env = "VERIFF_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// The integration's shared secret, for HMAC signatures.
    #[arg(long, env = "VERIFF_SHARED_SECRET", hide_env_values = true)]
    shared_secret: Option<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    /// Allow plain http:// to hosts other than loopback (credentials travel in clear text).
    #[arg(long)]
    allow_insecure_http: bool,
    /// The base URL is a `veriff-conformance mock`: also run scenarios that need its controls.
    #[arg(long)]
    target_is_mock: bool,
    /// Write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    #[command(flatten)]
    libtest: Arguments,
    /// Spec files or folders (and, at most once, a name filter).
    #[arg(value_name = "PATHS")]
    paths: Vec<String>,
}

/// Splits the positional arguments into spec paths and the libtest filter.
fn split_positionals(args: &mut RunArgs) -> Result<Vec<PathBuf>, String> {
    let mut positionals: Vec<String> = args.libtest.filter.take().into_iter().collect();
    positionals.append(&mut args.paths);
    let mut paths = Vec::new();
    let mut filter: Option<String> = None;
    for arg in positionals {
        let path = Path::new(&arg);
        if path.exists() {
            paths.push(path.to_path_buf());
        } else if arg.ends_with(".yaml") || arg.ends_with(".yml") {
            return Err(format!("{arg}: no such file"));
        } else if let Some(first) = &filter {
            return Err(format!(
                "`{first}` and `{arg}` are not files or folders, and only one name filter is allowed"
            ));
        } else {
            filter = Some(arg);
        }
    }
    args.libtest.filter = filter;
    Ok(paths)
}

fn credential(value: Option<String>, flag: &str, var: &str) -> Result<String, String> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("a base URL needs {flag} (or {var})")),
    }
}

pub fn run(mut args: RunArgs) -> ExitCode {
    let paths = match split_positionals(&mut args) {
        Ok(paths) => paths,
        Err(e) => return usage_error(e),
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return usage_error(format!(
            "--timeout must be a positive number of seconds, not {}",
            args.timeout
        ));
    }
    let timeout = Duration::from_secs_f64(args.timeout.min(86_400.0));

    let loaded: Loaded = if paths.is_empty() {
        load_embedded()
    } else {
        load_paths(&paths)
    };
    for error in &loaded.errors {
        eprintln!("{}\n", error.render_for_terminal());
    }
    if loaded.scenarios.is_empty() {
        if loaded.errors.is_empty() {
            eprintln!("error: no scenarios found");
        }
        return ExitCode::from(EXIT_USAGE);
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage_error(format!("cannot start the async runtime: {e}")),
    };

    // The target: the given base URL, or the embedded mock with fresh credentials.
    let mut mock: Option<MockServer> = None;
    let target = match args.base_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => {
            if let Err(e) = check_url(url, args.allow_insecure_http) {
                return usage_error(e);
            }
            let api_key = match credential(args.api_key, "--api-key", "VERIFF_API_KEY") {
                Ok(v) if reqwest::header::HeaderValue::from_str(&v).is_err() => {
                    return usage_error(
                        "the value of --api-key (or VERIFF_API_KEY) has characters that an HTTP header cannot carry (a line break?)",
                    );
                }
                Ok(v) => v,
                Err(e) => return usage_error(e),
            };
            let shared_secret = match credential(
                args.shared_secret,
                "--shared-secret",
                "VERIFF_SHARED_SECRET",
            ) {
                Ok(v) => v,
                Err(e) => return usage_error(e),
            };
            Target {
                base_url: url.trim_end_matches('/').to_string(),
                api_key,
                shared_secret,
                timeout,
                is_mock: args.target_is_mock,
                allow_insecure_http: args.allow_insecure_http,
            }
        }
        None if args.libtest.list => Target {
            base_url: "http://127.0.0.1".into(),
            api_key: String::new(),
            shared_secret: String::new(),
            timeout,
            is_mock: true,
            allow_insecure_http: false,
        },
        None => {
            let config = MockConfig::generated();
            let server = match runtime.block_on(MockServer::start(config)) {
                Ok(server) => server,
                Err(e) => return usage_error(format!("cannot start the embedded mock: {e}")),
            };
            let target = Target {
                base_url: server.base_url(),
                api_key: server.config().api_key.clone(),
                shared_secret: server.config().shared_secret.clone(),
                timeout,
                is_mock: true,
                allow_insecure_http: false,
            };
            if !args.libtest.quiet {
                // On standard error, so that `--format json` output stays JSON.
                eprintln!("target: embedded mock at {}", target.base_url);
            }
            mock = Some(server);
            target
        }
    };

    let masker = Masker::new([target.api_key.as_str(), target.shared_secret.as_str()]);
    let runner = match Runner::new(target) {
        Ok(r) => Arc::new(r),
        Err(e) => return usage_error(e),
    };
    let records = Records::default();
    let cx = TrialContext {
        runner,
        runtime: runtime.handle().clone(),
        masker,
        records: records.clone(),
    };
    let files: Vec<String> = loaded
        .scenarios
        .iter()
        .map(|s| s.file.name.clone())
        .collect();
    let trials: Vec<_> = loaded
        .scenarios
        .into_iter()
        .map(|s| trial(s, cx.clone()))
        .collect();
    // Trials that libtest skips without running them still belong in JUnit.
    for (t, file) in trials.iter().zip(files) {
        if args.libtest.is_ignored(t) && !args.libtest.is_filtered_out(t) {
            records.push(Record {
                name: t.name().to_string(),
                file,
                verdict: Verdict::Skipped(
                    "needs the embedded mock's controls (requires: [mock])".into(),
                ),
                duration: Duration::ZERO,
            });
        }
    }
    let conclusion = libtest_mimic::run(&args.libtest, trials);

    if let Some(server) = mock {
        runtime.block_on(server.shutdown());
    }

    if let Some(path) = &args.junit {
        let mut all = records.snapshot();
        for error in &loaded.errors {
            let file = error
                .location()
                .map(|(f, _, _)| f)
                .unwrap_or_else(|| "specs".into());
            all.push(Record {
                name: format!("{file}::<load>"),
                file,
                verdict: Verdict::Error(error.render_plain()),
                duration: Duration::ZERO,
            });
        }
        if let Err(e) = std::fs::write(path, junit::render(&all)) {
            return usage_error(format!(
                "cannot write the JUnit report to {}: {e}",
                path.display()
            ));
        }
    }

    if !loaded.errors.is_empty() {
        eprintln!(
            "error: {} spec error{} (shown above); the other scenarios ran",
            loaded.errors.len(),
            if loaded.errors.len() == 1 { "" } else { "s" }
        );
        return ExitCode::from(EXIT_USAGE);
    }
    conclusion.exit_code()
}
