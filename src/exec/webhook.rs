//! A step that awaits a webhook: it waits (woken on each arrival, never
//! polling) for a webhook of its type for its session, which may have
//! arrived before the step started, until its time limit. Each candidate is
//! checked as a response (status 200, its headers, its bytes) with the
//! step's `expect`, plus one check that always applies: the signature
//! verifies over the raw bytes. An `X-AUTH-CLIENT` that is absent, or is not
//! the API key, is a warning. The first
//! candidate that meets everything (captures included) is the step's;
//! when none does, the step fails with the latest one, or, when none came,
//! with what was awaited and what did arrive.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::check::{self, CheckKind, Mismatch, Warning};
use crate::inbox::store::{Inbox, Webhook};
use crate::record::env::Env;
use crate::record::exchange::{Exchange, Response, SentRequest};
use crate::scenario::model::{AwaitWebhook, Located, SignatureExpect, Step, WEBHOOK_METHOD};
use crate::signing::API_KEY_HEADER;

/// What a webhook step came to.
#[derive(Debug)]
pub(super) struct Awaited {
    /// The webhook the step judged, as an exchange: the one that met its
    /// expectations, else the latest candidate, else a stand-in for none.
    pub exchange: Exchange,
    /// Its unmet expectations; empty when it met them all.
    pub mismatches: Vec<Mismatch>,
    /// The captured values, when it met them all.
    pub captures: Vec<(String, Value)>,
    /// Whether a webhook of the type, for the session, came at all.
    pub came: bool,
}

/// The check every webhook gets, whatever the step's `expect` says: the
/// signature verifies (when the step's `expect` does not already require
/// it; [DOC]). What `X-AUTH-CLIENT` carries rests on Veriff's older docs
/// only ([DOC-old]), so it is a warning at most ([`key_warning`]).
fn always(step: &Step, response: &Response, secret: &str) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if step.expect.signature.value != SignatureExpect::Required {
        let rule = Located {
            value: SignatureExpect::Required,
            at: step.at.clone(),
        };
        out.extend(check::signature::check(&rule, response, secret));
    }
    out
}

/// A warning when the webhook's `X-AUTH-CLIENT` is absent or is not the API
/// key: Veriff's older docs say every webhook carries the API key there
/// ([DOC-old]); today's docs do not say otherwise.
pub(super) fn key_warning(
    awaited: &AwaitWebhook,
    response: &Response,
    api_key: &str,
) -> Option<Warning> {
    let actual = match response.header(API_KEY_HEADER) {
        None => "absent".to_string(),
        Some(v) if v == api_key => return None,
        Some(v) => format!("{v:?}, another key than the run's"),
    };
    Some(Warning {
        check: CheckKind::Header,
        path: API_KEY_HEADER.to_ascii_lowercase(),
        expected: "the API key, as Veriff's older docs say every webhook carries".into(),
        actual,
        at: awaited.at.clone(),
    })
}

/// The exchange that stands for a webhook in results and baselines.
fn exchange_of(webhook: &Webhook, receiver: &str) -> Exchange {
    Exchange {
        request: SentRequest {
            method: method(),
            url: format!("{receiver}{}", webhook.path),
            headers: Vec::new(),
            body: Vec::new(),
        },
        response: Response::new(200, webhook.headers.clone(), webhook.body.clone()),
        elapsed: webhook.received_at.elapsed().unwrap_or_default(),
    }
}

fn method() -> reqwest::Method {
    reqwest::Method::from_bytes(WEBHOOK_METHOD.as_bytes()).unwrap_or(reqwest::Method::POST)
}

/// Waits for the step's webhook in `inbox` and judges it; `session` is the
/// step's session id, filled in. `receiver` is the receiver's URL, shown as
/// where each webhook was posted.
#[allow(clippy::too_many_arguments)]
pub(super) async fn await_webhook(
    inbox: &Inbox,
    receiver: &str,
    step: &Step,
    awaited: &AwaitWebhook,
    session: &str,
    env: &Env,
    secret: &str,
) -> Awaited {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + awaited.within.value;
    let kind = awaited.kind.value;
    let mut arrivals = inbox.subscribe();
    let mut seen = 0u64;
    let mut latest: Option<(Exchange, Vec<Mismatch>)> = None;
    loop {
        // Marked seen before reading: an arrival after this wakes the wait below.
        arrivals.borrow_and_update();
        for webhook in inbox.after(seen) {
            seen = webhook.seq;
            if !webhook.is(kind, session) {
                continue;
            }
            let exchange = exchange_of(&webhook, receiver);
            let mut mismatches = check::check_step(&step.expect, &exchange, env, secret);
            mismatches.extend(always(step, &exchange.response, secret));
            if mismatches.is_empty() {
                match check::capture::capture(&step.captures, &exchange.response) {
                    Ok(captures) => {
                        return Awaited {
                            exchange,
                            mismatches,
                            captures,
                            came: true,
                        };
                    }
                    Err(missing) => mismatches = missing,
                }
            }
            latest = Some((exchange, mismatches));
        }
        match tokio::time::timeout_at(deadline, arrivals.changed()).await {
            Ok(Ok(())) => {}
            // The time is up (or the inbox is gone: nothing more can come).
            _ => break,
        }
    }
    match latest {
        Some((exchange, mismatches)) => Awaited {
            exchange,
            mismatches,
            captures: Vec::new(),
            came: true,
        },
        None => none_came(inbox, receiver, awaited, session, started.elapsed()),
    }
}

/// The most kinds of webhook listed in a "none came" failure.
const MAX_LISTED: usize = 20;

/// The failure of a step whose webhook never came: what was awaited, and
/// what did arrive (types and sessions; reports mask them).
fn none_came(
    inbox: &Inbox,
    receiver: &str,
    awaited: &AwaitWebhook,
    session: &str,
    waited: Duration,
) -> Awaited {
    let mut arrived: BTreeMap<(String, String), usize> = BTreeMap::new();
    for w in inbox.after(0) {
        let session = w
            .session
            .as_deref()
            .map_or_else(|| "no session".to_string(), |s| format!("session {s:?}"));
        *arrived
            .entry((w.kind.name().to_string(), session))
            .or_default() += 1;
    }
    let mut listed: Vec<String> = arrived
        .iter()
        .take(MAX_LISTED)
        .map(|((kind, session), n)| format!("{n} {kind} for {session}"))
        .collect();
    if arrived.len() > MAX_LISTED {
        listed.push(format!("{} more kinds", arrived.len() - MAX_LISTED));
    }
    let actual = if listed.is_empty() {
        format!(
            "none within {:.1} s; no webhook arrived at {receiver}",
            waited.as_secs_f64()
        )
    } else {
        format!(
            "none within {:.1} s; arrived at {receiver}: {}",
            waited.as_secs_f64(),
            listed.join(", ")
        )
    };
    let kind = awaited.kind.value;
    Awaited {
        exchange: Exchange {
            request: SentRequest {
                method: method(),
                url: format!("{receiver} ({kind} for session {session})"),
                headers: Vec::new(),
                body: Vec::new(),
            },
            response: Response::new(0, Vec::new(), Vec::new()),
            elapsed: waited,
        },
        mismatches: vec![Mismatch {
            check: CheckKind::Webhook,
            path: String::new(),
            expected: format!(
                "a {kind} webhook for session {session:?} within {}",
                show(awaited.within.value)
            ),
            actual,
            at: awaited.within.at.clone(),
        }],
        captures: Vec::new(),
        came: false,
    }
}

fn show(d: Duration) -> String {
    if d.subsec_millis() != 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs())
    }
}
