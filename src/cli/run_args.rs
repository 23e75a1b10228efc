//! `veriff-conformance run`: its arguments, turned into [`Options`] for [`run::run`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::shared_run_args::{CredentialArgs, SharedRunArgs};
use crate::run::{self, Options, TargetOptions, usage_error};

#[derive(Debug, Args)]
#[command(help_template = "{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}")]
#[command(after_help = "\
PATHS are spec files or folders (searched for *.yaml and *.yml); without any, the suite \
compiled into the binary runs. A positional argument that is not an existing file or \
folder is the libtest name filter, unless it looks like a path (it has a `/` or starts \
with `.` or `~`) and no `::`: then it is a missing path, which is an error. Without a base URL the suite runs against the \
embedded mock, started on 127.0.0.1 with fresh credentials.

Drift: --record-baseline DIR records a run; --baseline DIR compares a later run with it. \
Breaking drift fails its scenario; compatible drift and warnings are listed after the \
summary, then one line `drift: B breaking, C compatible` (`, N new` when scenarios have \
no baseline file). A baseline records what it was recorded against (target.json) and is \
never compared with the other kind of target (the embedded mock, or a base URL).

Before the first scenario, one request that changes nothing checks that the base URL \
answers and accepts the credentials.

Exit status: 0 when all pass, 101 when a scenario fails (breaking drift included), 2 for \
usage, configuration and spec errors (also when a spec error shows only as a step runs), \
for an unusable baseline, an unreachable base URL or rejected credentials, an output path \
that cannot be written, and a filter that selects nothing (see --no-tests); 141 when \
standard output is closed before the end.")]
pub struct RunArgs {
    /// Base URL of the API under test, e.g. https://stationapi.veriff.com (default: the embedded mock).
    #[arg(long, env = "VERIFF_BASE_URL", hide_env_values = true)]
    base_url: Option<String>,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// The base URL is a `veriff-conformance mock`: also run scenarios that need its
    /// controls, and turn on every opt-in --feature (the mock has them all).
    #[arg(long)]
    target_is_mock: bool,
    /// Turn on an opt-in API feature that scenarios may require
    /// (`requires: [feature:NAME]`): delete, watchlist. Repeatable. Against
    /// the embedded mock every feature is on.
    #[arg(long = "feature", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(crate::scenario::model::FEATURES))]
    features: Vec<String>,
    /// Receive webhooks on ADDR (e.g. 0.0.0.0:8090), for the scenarios that
    /// await them: point the integration's webhook URLs at it. Against the
    /// embedded mock a receiver on a free loopback port is started anyway.
    #[arg(long, value_name = "ADDR")]
    webhook_listen: Option<String>,
    /// Write a baseline of this run to DIR: one JSON file per scenario that passed.
    #[arg(long, value_name = "DIR", conflicts_with = "baseline")]
    record_baseline: Option<PathBuf>,
    /// Compare every exchange with the baseline in DIR; breaking drift fails its scenario.
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Compatible drift and warnings fail their scenario too (like -D warnings).
    #[arg(long)]
    deny_drift: bool,
    /// Let --record-baseline replace a baseline recorded against the other kind of target
    /// (the embedded mock, or a base URL).
    #[arg(long, requires = "record_baseline")]
    overwrite_baseline_target: bool,
    /// Write the drift (and warnings) as Markdown to FILE, for a PR comment or a CI job summary.
    #[arg(long, value_name = "FILE", requires = "baseline")]
    drift_report: Option<PathBuf>,
    #[command(flatten)]
    shared: SharedRunArgs,
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
fn split_positionals(positionals: Vec<String>) -> Result<(Vec<PathBuf>, Option<String>), String> {
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
    Ok((paths, filter))
}

pub fn run(args: RunArgs) -> ExitCode {
    match options(args) {
        Ok(options) => run::run(options),
        Err(e) => usage_error(e),
    }
}

fn options(args: RunArgs) -> Result<Options, String> {
    let (paths, filter) = split_positionals(args.paths)?;
    let options = Options {
        paths,
        target: TargetOptions {
            base_url: args.base_url,
            api_key: args.credentials.api_key,
            shared_secret: args.credentials.shared_secret,
            timeout: args.shared.timeout()?,
            allow_insecure_http: args.shared.allow_insecure_http,
            target_is_mock: args.target_is_mock,
            features: args.features,
        },
        drift: crate::drift::DriftOptions {
            record: args.record_baseline,
            baseline: args.baseline,
            deny: args.deny_drift,
            report: args.drift_report,
            overwrite_target: args.overwrite_baseline_target,
        },
        webhook_listen: args.webhook_listen,
        ..Options::default()
    };
    args.shared.apply(options, filter)
}
