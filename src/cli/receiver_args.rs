//! `veriff-conformance receiver`: the built-in receiver suite against an
//! integrator's webhook URLs, as [`Options`] for [`run::run`].

use std::process::ExitCode;

use clap::Args;

use super::shared_run_args::{CredentialArgs, SharedRunArgs, seconds};
use crate::exec::target::check_url;
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

Before the first delivery, each URL given must accept a TCP connection (nothing is sent). \
When a URL refused every genuine delivery with the same 401, 403 or 404, a hint after the \
summary says what to check.

Exit status: 0 when all pass, 101 when a rule fails, 2 for usage and configuration errors \
(a URL that cannot be reached, a filter that selects nothing: see --no-tests).")]
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
    #[command(flatten)]
    credentials: CredentialArgs,
    /// A session id the receiver knows, put in the deliveries (repeatable;
    /// used in turn). Without it, each rule uses a fresh UUID.
    #[arg(long = "session-id", value_name = "ID")]
    session_ids: Vec<String>,
    /// An answer slower than this many seconds is a warning.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    answer_budget: f64,
    #[command(flatten)]
    shared: SharedRunArgs,
    /// Run only the rules whose trial names contain FILTER (as libtest's name filter).
    #[arg(value_name = "FILTER")]
    filter: Option<String>,
}

fn credential(value: Option<String>, flag: &str, var: &str, why: &str) -> Result<String, String> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("receiver needs {flag} (or {var}): {why}"))
}

fn options(args: ReceiverArgs) -> Result<Options, String> {
    // A libtest flag given out of habit is named first, before what is missing.
    if let Some(why) = args.shared.refused() {
        return Err(why.into());
    }
    let timeout = args.shared.timeout()?;
    let budget = seconds(args.answer_budget, "--answer-budget")?;
    let urls = [
        ("--decision-url", Some(&args.decision_url)),
        ("--event-url", args.event_url.as_ref()),
        ("--watchlist-url", args.watchlist_url.as_ref()),
    ];
    for (flag, url) in urls {
        if let Some(url) = url {
            check_url(url, args.shared.allow_insecure_http).map_err(|e| format!("{flag}: {e}"))?;
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
        args.credentials.api_key,
        "--api-key",
        "VERIFF_API_KEY",
        "Veriff sends it in X-AUTH-CLIENT with every delivery",
    )?;
    let shared_secret = credential(
        args.credentials.shared_secret,
        "--shared-secret",
        "VERIFF_SHARED_SECRET",
        "Veriff signs every delivery with it",
    )?;
    let receiver_urls = urls
        .iter()
        .filter_map(|(flag, url)| Some((flag.to_string(), (*url)?.clone())))
        .collect();
    let receiver = ReceiverUrls {
        decision_url: args.decision_url.clone(),
        event_url: args.event_url,
        watchlist_url: args.watchlist_url,
        session_ids: args.session_ids,
    };
    let options = Options {
        target: TargetOptions {
            // Every step names its URL in full; this one is the run's `run.base_url`.
            base_url: Some(args.decision_url),
            api_key: Some(api_key),
            shared_secret: Some(shared_secret),
            timeout,
            allow_insecure_http: args.shared.allow_insecure_http,
            target_is_mock: false,
            features: Vec::new(),
        },
        suite: Suite::Receiver,
        run_values: receiver.run_values(),
        answer_budget: Some(budget),
        receiver_urls,
        // The hint after the summary reads every answer, those of rules that passed too.
        keep_exchanges: true,
        ..Options::default()
    };
    args.shared.apply(options, args.filter)
}

pub fn run(args: ReceiverArgs) -> ExitCode {
    match options(args) {
        Ok(options) => run::run(options),
        Err(e) => usage_error(e),
    }
}
