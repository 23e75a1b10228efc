//! `veriff-conformance receiver`: the built-in receiver suite against an
//! integrator's webhook URLs, as [`Options`] for [`run::run`].

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use libtest_mimic::Arguments;

use crate::exec::target::check_url;
use crate::exec::throttle::Rate;
use crate::receiver::ReceiverUrls;
use crate::run::{self, Options, TargetOptions, usage_error};
use crate::scenario::discover::Suite;

#[derive(Debug, Args)]
#[command(help_template = "{about-with-newline}\nUsage: {usage}\n\n{all-args}{after-help}")]
#[command(after_help = "\
Point it at a test environment only: it posts decisions, events and forgeries to the URLs, \
signed with the shared secret as Veriff signs its webhooks. Each rule of docs/receiver.md is \
a trial named `<rule>::<case>`. Event and watchlist rules are ignored without --event-url \
and --watchlist-url. An answer slower than --answer-budget is a warning, not a failure.

Exit status: 0 when all pass, 101 when a rule fails, 2 for usage and configuration errors.")]
pub struct ReceiverArgs {
    /// The receiver's webhook decisions URL.
    #[arg(long, value_name = "URL")]
    decision_url: String,
    /// The receiver's webhook events URL (event rules are ignored without it).
    #[arg(long, value_name = "URL")]
    event_url: Option<String>,
    /// The receiver's webhook watchlist screening URL (watchlist rules are ignored without it).
    #[arg(long, value_name = "URL")]
    watchlist_url: Option<String>,
    /// The integration's API key, sent as X-AUTH-CLIENT.
    #[arg(long, env = "VERIFF_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// The integration's shared secret, for HMAC signatures.
    #[arg(long, env = "VERIFF_SHARED_SECRET", hide_env_values = true)]
    shared_secret: Option<String>,
    /// A session id the receiver knows, put in the deliveries (repeatable;
    /// used in turn). Without it, each rule uses a fresh UUID.
    #[arg(long = "session-id", value_name = "ID")]
    session_ids: Vec<String>,
    /// An answer slower than this many seconds is a warning.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    answer_budget: f64,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    /// Allow plain http:// to hosts other than loopback (credentials travel in clear text).
    #[arg(long)]
    allow_insecure_http: bool,
    /// Requests per second at most, or `unlimited` (default: unlimited against
    /// loopback, 10 against any other host).
    #[arg(long, value_name = "N", value_parser = Rate::parse)]
    rate: Option<Rate>,
    /// Write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<std::path::PathBuf>,
    #[command(flatten)]
    libtest: Arguments,
}

/// A positive, finite number of seconds, or a usage error naming the flag.
fn seconds(value: f64, flag: &str) -> Result<Duration, String> {
    if value.is_finite() && value > 0.0 {
        Ok(Duration::from_secs_f64(value.min(86_400.0)))
    } else {
        Err(format!(
            "{flag} must be a positive number of seconds, not {value}"
        ))
    }
}

fn credential(value: Option<String>, flag: &str, var: &str, why: &str) -> Result<String, String> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("receiver needs {flag} (or {var}): {why}"))
}

fn options(args: ReceiverArgs) -> Result<Options, String> {
    let timeout = seconds(args.timeout, "--timeout")?;
    let budget = seconds(args.answer_budget, "--answer-budget")?;
    let urls = [
        ("--decision-url", Some(&args.decision_url)),
        ("--event-url", args.event_url.as_ref()),
        ("--watchlist-url", args.watchlist_url.as_ref()),
    ];
    for (flag, url) in urls {
        if let Some(url) = url {
            check_url(url, args.allow_insecure_http).map_err(|e| format!("{flag}: {e}"))?;
        }
    }
    if let Some(bad) = args.session_ids.iter().find(|id| {
        id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) {
        return Err(format!(
            "--session-id {bad:?}: a session id is letters, digits, `-` and `_` (Veriff's are UUIDs)"
        ));
    }
    let api_key = credential(
        args.api_key,
        "--api-key",
        "VERIFF_API_KEY",
        "Veriff sends it in X-AUTH-CLIENT with every delivery",
    )?;
    let shared_secret = credential(
        args.shared_secret,
        "--shared-secret",
        "VERIFF_SHARED_SECRET",
        "Veriff signs every delivery with it",
    )?;
    let receiver = ReceiverUrls {
        decision_url: args.decision_url.clone(),
        event_url: args.event_url,
        watchlist_url: args.watchlist_url,
        session_ids: args.session_ids,
    };
    Ok(Options {
        target: TargetOptions {
            // Every step names its URL in full; this one is the run's `run.base_url`.
            base_url: Some(args.decision_url),
            api_key: Some(api_key),
            shared_secret: Some(shared_secret),
            timeout,
            allow_insecure_http: args.allow_insecure_http,
            target_is_mock: false,
            features: Vec::new(),
        },
        libtest: args.libtest,
        junit: args.junit,
        rate: args.rate,
        suite: Suite::Receiver,
        run_values: receiver.run_values(),
        answer_budget: Some(budget),
        ..Options::default()
    })
}

pub fn run(args: ReceiverArgs) -> ExitCode {
    match options(args) {
        Ok(options) => run::run(options),
        Err(e) => usage_error(e),
    }
}
