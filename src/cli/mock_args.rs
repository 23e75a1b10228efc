//! `veriff-conformance mock`: serve the embedded mock until Ctrl-C (or SIGTERM).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::ready_file::ReadyFile;
use super::usage_error;
use crate::mock::{
    BodyForm, DECISION_HEADER, DELAY_HEADER, FAULT_HEADER, MAX_DELAY_MS, MockConfig, MockServer,
    WebhookConfig,
};

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Address to listen on, HOST:PORT; HOST may be a name (`localhost:8081`).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    listen: String,
    /// API key to accept (generated when absent). Not read from VERIFF_API_KEY, so
    /// that real credentials exported for `run` never end up in a mock.
    #[arg(long, env = "VERIFF_MOCK_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Shared secret to accept (generated when absent).
    #[arg(long, env = "VERIFF_MOCK_SHARED_SECRET", hide_env_values = true)]
    shared_secret: Option<String>,
    /// Public host used in session `host` and `url` fields (default: the mock's own URL).
    #[arg(long)]
    host: Option<String>,
    /// Delay every response by this many milliseconds (0 to 60000), like a slow network.
    #[arg(long, value_name = "MS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=MAX_DELAY_MS))]
    latency_ms: u64,
    /// Where to POST decision webhooks (the integration's "Webhook decisions URL").
    #[arg(long, value_name = "URL")]
    decision_webhook: Option<String>,
    /// Where to POST event webhooks, `started` and `submitted` ("Webhook events URL").
    #[arg(long, value_name = "URL")]
    event_webhook: Option<String>,
    /// Where to POST watchlist-screening webhooks ("Webhook watchlist screening URL").
    #[arg(long, value_name = "URL")]
    watchlist_webhook: Option<String>,
    /// Seconds between attempts of a webhook that was not answered with 200.
    #[arg(long, value_name = "SECONDS", default_value = "3600", value_parser = seconds)]
    webhook_retry_every: Duration,
    /// Seconds after its first attempt that a webhook is given up.
    #[arg(long, value_name = "SECONDS", default_value = "604800", value_parser = seconds)]
    webhook_retry_for: Duration,
    /// Accept `http://` session callbacks (Veriff accepts only https), for a
    /// front end under test on http://localhost that the flow page sends the
    /// end user back to.
    #[arg(long)]
    allow_http_callback: bool,
    /// How webhook bodies are written: compact (as `JSON.stringify` writes), pretty (indented,
    /// over many lines), or ascii-escaped (non-ASCII text as \uXXXX). The last two expose a
    /// receiver that checks the signature over JSON it wrote again, not the bytes received.
    #[arg(long, value_name = "compact|pretty|ascii-escaped", default_value = "compact", value_parser = body_form)]
    webhook_body: BodyForm,
    /// Write the mock's base URL to PATH once it listens (removed at start and when it
    /// stops), for a script to wait on; see docs/ci.md.
    #[arg(long, value_name = "PATH")]
    ready_file: Option<std::path::PathBuf>,
}

/// A [`BodyForm`] by its name.
fn body_form(text: &str) -> Result<BodyForm, String> {
    BodyForm::NAMES
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, form)| *form)
        .ok_or_else(|| format!("{text:?} is not one of compact, pretty, ascii-escaped"))
}

/// A positive number of seconds (fractions allowed).
fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value > 0.0)
        .and_then(|value| Duration::try_from_secs_f64(value).ok())
        .ok_or_else(|| format!("{text:?} is not a positive number of seconds"))
}

/// Starts listening for Ctrl-C and SIGTERM at once, so that a signal sent
/// as soon as the mock says it listens is not missed; the future ends when
/// one comes. Called on the runtime.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (interrupt, terminate) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        );
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                (Ok(mut interrupt), Err(_)) => {
                    interrupt.recv().await;
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The first line the mock prints; its last word is always the URL to use
/// from this machine. Listening on every interface (`0.0.0.0`, `[::]`), it
/// says so, since that address is not one to connect to.
fn listening_line(addr: SocketAddr, base_url: &str) -> String {
    if addr.ip().is_unspecified() {
        let port = base_url.rsplit(':').next().unwrap_or_default();
        let ip = match addr {
            SocketAddr::V4(_) => addr.ip().to_string(),
            SocketAddr::V6(_) => format!("[{}]", addr.ip()),
        };
        format!(
            "veriff-conformance mock listening on {ip}:{port} (every interface); \
             from this machine: {base_url}"
        )
    } else {
        format!("veriff-conformance mock listening on {base_url}")
    }
}

/// The first address `listen` (HOST:PORT, HOST a name or an IP address) resolves to.
async fn resolve(listen: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = listen.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bad = |why: String| format!("--listen `{listen}`: {why}");
    let (host, port) = listen
        .rsplit_once(':')
        .ok_or_else(|| bad("expected HOST:PORT, e.g. 127.0.0.1:8080 or localhost:8080".into()))?;
    port.parse::<u16>()
        .map_err(|_| bad(format!("`{port}` is not a port number (0 to 65535)")))?;
    if host.is_empty() {
        return Err(bad("the host is missing, e.g. 127.0.0.1:8080".into()));
    }
    tokio::net::lookup_host(listen)
        .await
        .map_err(|e| bad(format!("cannot resolve `{host}`: {e}")))?
        .next()
        .ok_or_else(|| bad(format!("`{host}` resolves to no address")))
}

pub fn run(args: MockArgs) -> ExitCode {
    for (given, flag) in [
        (&args.api_key, "--api-key"),
        (&args.shared_secret, "--shared-secret"),
    ] {
        if given.as_deref().is_some_and(str::is_empty) {
            return usage_error(format!(
                "{flag} is empty; leave it out to have one generated"
            ));
        }
    }
    if let Some(key) = &args.api_key
        && reqwest::header::HeaderValue::from_str(key).is_err()
    {
        return usage_error("--api-key has characters that an HTTP header cannot carry");
    }
    let generated = MockConfig::generated();
    let show = |given: &Option<String>, generated: &str| match given {
        Some(_) => "(as given)".to_string(),
        None => generated.to_string(),
    };
    let api_key_shown = show(&args.api_key, &generated.api_key);
    let secret_shown = show(&args.shared_secret, &generated.shared_secret);
    let webhooks = WebhookConfig {
        decision: args.decision_webhook,
        event: args.event_webhook,
        watchlist: args.watchlist_webhook,
        retry_every: args.webhook_retry_every,
        retry_for: args.webhook_retry_for,
        body_form: args.webhook_body,
        ..WebhookConfig::default()
    };
    if let Err(why) = webhooks.check() {
        return usage_error(format!(
            "{why}; give the full URL, such as http://127.0.0.1:9000/veriff/webhooks"
        ));
    }
    let config = MockConfig {
        api_key: args.api_key.unwrap_or(generated.api_key),
        shared_secret: args.shared_secret.unwrap_or(generated.shared_secret),
        host: args.host,
        latency: Duration::from_millis(args.latency_ms),
        webhooks,
        allow_http_callback: args.allow_http_callback,
        ..generated
    };
    // A URL is shown as given, except for the credentials, were they in it.
    let masker = crate::mask::Masker::new([&config.api_key, &config.shared_secret]);
    let webhook_lines: Vec<String> = [
        ("decision", &config.webhooks.decision),
        ("event", &config.webhooks.event),
        ("watchlist", &config.webhooks.watchlist),
    ]
    .into_iter()
    .filter_map(|(kind, url)| {
        url.as_ref()
            .map(|url| format!("  {kind} webhooks to {}", masker.mask(url)))
    })
    .collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage_error(format!("cannot start the async runtime: {e}")),
    };
    // A file left by an earlier mock must not pass for this one's.
    let ready = match args.ready_file.as_deref().map(ReadyFile::clear) {
        None => None,
        Some(Ok(ready)) => Some(ready),
        Some(Err(e)) => return usage_error(e),
    };
    runtime.block_on(async move {
        let addr = match resolve(&args.listen).await {
            Ok(addr) => addr,
            Err(e) => return usage_error(e),
        };
        let server = match MockServer::start_on(addr, config).await {
            Ok(server) => server,
            Err(e) => return usage_error(format!("cannot listen on {}: {e}", args.listen)),
        };
        let stopped = stop_signal();
        println!("{}", listening_line(addr, &server.base_url()));
        println!("  api key (X-AUTH-CLIENT): {api_key_shown}");
        println!("  shared secret:           {secret_shown}");
        println!(
            "  start a session as its end user: GET {}/v/<sessionToken>",
            server.base_url()
        );
        if args.allow_http_callback {
            println!("  http:// callbacks accepted (Veriff accepts only https://)");
        }
        if args.latency_ms > 0 {
            println!("  every response delayed by {} ms", args.latency_ms);
        }
        println!(
            "  mock-only controls: `{FAULT_HEADER}: 500`, `{DELAY_HEADER}: <ms>`, `{DECISION_HEADER}: <status>` (on GET .../decision)"
        );
        for line in &webhook_lines {
            println!("{line}");
        }
        if !webhook_lines.is_empty() {
            println!(
                "  delivery log: GET {0}/mock/webhooks; decide a session: POST {0}/mock/sessions/<id>/decision",
                server.base_url()
            );
        }
        println!("Press Ctrl-C to stop.");
        if let Some(ready) = &ready
            && let Err(e) = ready.write(&server.base_url())
        {
            server.shutdown().await;
            return usage_error(e);
        }
        stopped.await;
        server.shutdown().await;
        if let Some(ready) = &ready {
            ready.remove();
        }
        println!("mock stopped");
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_interface_is_named_as_such_with_the_url_to_use_last() {
        let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
        assert_eq!(
            listening_line(any, "http://127.0.0.1:8084"),
            "veriff-conformance mock listening on 0.0.0.0:8084 (every interface); \
             from this machine: http://127.0.0.1:8084"
        );
        let any6: SocketAddr = "[::]:0".parse().unwrap();
        assert!(
            listening_line(any6, "http://[::1]:8084")
                .starts_with("veriff-conformance mock listening on [::]:8084 ")
        );
        let local: SocketAddr = "127.0.0.1:8084".parse().unwrap();
        assert_eq!(
            listening_line(local, "http://127.0.0.1:8084"),
            "veriff-conformance mock listening on http://127.0.0.1:8084"
        );
    }
}
