//! `veriff-conformance run`: load scenarios, run them as libtest trials, write JUnit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use libtest_mimic::Arguments;

use super::{EXIT_USAGE, usage_error};
use crate::exec::outcome::ErrorKind;
use crate::exec::runner::{NEEDS_MOCK, Runner};
use crate::exec::target::{Target, check_url};
use crate::mock::{MockConfig, MockServer};
use crate::report::junit;
use crate::report::mask::Masker;
use crate::report::trials::{Record, Records, TrialContext, Verdict, trial};
use crate::spec::discover::{Loaded, load_embedded, load_paths};
use crate::spec::error::SpecError;

#[derive(Debug, Args)]
#[command(help_template = "{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}")]
#[command(after_help = "\
PATHS are spec files or folders (searched for *.yaml and *.yml); without any, the suite \
compiled into the binary runs. A positional argument that is not an existing file or \
folder is the libtest name filter, unless it looks like a path (it has a `/` or starts \
with `.` or `~`) and no `::`: then it is a missing path, which is an error. Without a base URL the suite runs against the \
embedded mock, started on 127.0.0.1 with fresh credentials.

Exit status: 0 when all pass, 101 when a scenario fails, 2 for usage, configuration \
and spec errors (also when a spec error shows only as a step runs).")]
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

/// Whether a positional argument that names nothing on disk was meant as a path.
fn looks_like_a_path(arg: &str) -> bool {
    arg.ends_with(".yaml")
        || arg.ends_with(".yml")
        || (!arg.contains("::")
            && (arg.contains('/')
                || arg.contains('\\')
                || arg.starts_with('.')
                || arg.starts_with('~')))
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
        } else if looks_like_a_path(&arg) {
            return Err(format!("{arg}: no such file or folder"));
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

/// The target of the run: the given base URL, or the embedded mock (started
/// here, with fresh credentials) when there is none.
fn target(
    args: &RunArgs,
    timeout: Duration,
    runtime: &tokio::runtime::Runtime,
) -> Result<(Target, Option<MockServer>), String> {
    let Some(url) = args.base_url.as_deref().filter(|u| !u.is_empty()) else {
        if args.libtest.list {
            // Listing sends nothing: no mock to start.
            let target = Target {
                base_url: "http://127.0.0.1".into(),
                api_key: String::new(),
                shared_secret: String::new(),
                timeout,
                is_mock: true,
                allow_insecure_http: false,
            };
            return Ok((target, None));
        }
        let server = runtime
            .block_on(MockServer::start(MockConfig::generated()))
            .map_err(|e| format!("cannot start the embedded mock: {e}"))?;
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
        return Ok((target, Some(server)));
    };
    check_url(url, args.allow_insecure_http)?;
    let (api_key, shared_secret) = if args.libtest.list {
        (String::new(), String::new())
    } else {
        let api_key = credential(args.api_key.clone(), "--api-key", "VERIFF_API_KEY")?;
        if reqwest::header::HeaderValue::from_str(&api_key).is_err() {
            return Err("the value of --api-key (or VERIFF_API_KEY) has characters that an HTTP header cannot carry (a line break?)".into());
        }
        let secret = credential(
            args.shared_secret.clone(),
            "--shared-secret",
            "VERIFF_SHARED_SECRET",
        )?;
        (api_key, secret)
    };
    let target = Target {
        base_url: url.trim_end_matches('/').to_string(),
        api_key,
        shared_secret,
        timeout,
        is_mock: args.target_is_mock,
        allow_insecure_http: args.allow_insecure_http,
    };
    Ok((target, None))
}

/// Spec errors found at load time, as JUnit records.
fn load_error_records(errors: &[SpecError], masker: &Masker) -> Vec<Record> {
    errors
        .iter()
        .map(|error| {
            let file = error
                .location()
                .map(|(f, _, _)| f)
                .unwrap_or_else(|| "specs".into());
            Record {
                name: format!("{file}::<load>"),
                file,
                verdict: Verdict::Error(ErrorKind::Spec, masker.mask(&error.render_plain())),
                duration: Duration::ZERO,
            }
        })
        .collect()
}

fn write_junit(path: &Path, records: &[Record]) -> Result<(), String> {
    std::fs::write(path, junit::render(records))
        .map_err(|e| format!("cannot write the JUnit report to {}: {e}", path.display()))
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
    if loaded.scenarios.is_empty() {
        // Nothing to run: report the load errors (in JUnit too, so that CI never
        // reads a report left from an earlier run) and stop.
        let masker = Masker::new([
            args.api_key.as_deref().unwrap_or(""),
            args.shared_secret.as_deref().unwrap_or(""),
        ]);
        for error in &loaded.errors {
            eprintln!("{}\n", masker.mask(&error.render_for_terminal()));
        }
        if loaded.errors.is_empty() {
            eprintln!("error: no scenarios found");
        }
        if let Some(path) = &args.junit
            && let Err(e) = write_junit(path, &load_error_records(&loaded.errors, &masker))
        {
            return usage_error(e);
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
    let (target, mock) = match target(&args, timeout, &runtime) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    let masker = Masker::new([target.api_key.as_str(), target.shared_secret.as_str()]);
    for error in &loaded.errors {
        eprintln!("{}\n", masker.mask(&error.render_for_terminal()));
    }
    let runner = match Runner::new(target) {
        Ok(r) => Arc::new(r),
        Err(e) => return usage_error(e),
    };
    let records = Records::default();
    let cx = TrialContext {
        runner: Arc::clone(&runner),
        runtime: runtime.handle().clone(),
        masker: masker.clone(),
        records: records.clone(),
    };
    // Trials that libtest skips without running them still belong in JUnit.
    for scenario in loaded.scenarios.iter().filter(|s| runner.ignores(s)) {
        let probe = libtest_mimic::Trial::test(scenario.trial_name.clone(), || Ok(()))
            .with_ignored_flag(true);
        if args.libtest.is_ignored(&probe) && !args.libtest.is_filtered_out(&probe) {
            records.push(Record {
                name: scenario.trial_name.clone(),
                file: scenario.file.name.clone(),
                verdict: Verdict::Skipped(NEEDS_MOCK.into()),
                duration: Duration::ZERO,
            });
        }
    }
    let trials: Vec<_> = loaded
        .scenarios
        .iter()
        .cloned()
        .map(|s| trial(s, cx.clone()))
        .collect();
    let conclusion = libtest_mimic::run(&args.libtest, trials);

    if let Some(server) = mock {
        runtime.block_on(server.shutdown());
    }
    let mut all = records.snapshot();
    let spec_errors_at_run = all
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Error(ErrorKind::Spec, _)))
        .count();
    all.extend(load_error_records(&loaded.errors, &masker));
    if let Some(path) = &args.junit
        && let Err(e) = write_junit(path, &all)
    {
        return usage_error(e);
    }

    let spec_errors = loaded.errors.len() + spec_errors_at_run;
    if spec_errors > 0 {
        eprintln!(
            "error: {spec_errors} spec error{} (shown above); the other scenarios ran",
            if spec_errors == 1 { "" } else { "s" }
        );
        return ExitCode::from(EXIT_USAGE);
    }
    conclusion.exit_code()
}
