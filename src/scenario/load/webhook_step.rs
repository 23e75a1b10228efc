//! A step that awaits a webhook (`webhook: { type, session, within }`)
//! instead of sending a request: its keys, what it cannot have, and its
//! expectations (no `status`; the signature always checked).

use std::ops::Range;
use std::time::Duration;

use super::cx::{FileCx, list};
use super::expect::expect;
use super::repeat::duration;
use super::schema_files::Schemas;
use super::scope::Scope;
use super::step::captures;
use crate::inbox::kind::WebhookKind;
use crate::scenario::model::{
    AwaitWebhook, Expect, Located, RequestBody, SignMode, SignatureExpect, Step, WEBHOOK_METHOD,
};
use crate::scenario::raw;
use crate::scenario::template::Template;

/// `webhook.within` when it is not written.
pub const DEFAULT_WITHIN: Duration = Duration::from_secs(30);
/// The longest `webhook.within`.
pub const MAX_WITHIN: Duration = Duration::from_secs(3600);

/// Builds a webhook step, or `None` when it has errors; its captures are
/// added to `scope`. `webhook` is the step's `webhook:`.
pub(super) fn webhook_step(
    cx: &mut FileCx<'_>,
    schemas: &Schemas,
    raw: raw::Step,
    webhook: &raw::Spanned<raw::Webhook>,
    scope: &mut Scope,
) -> Option<Step> {
    let before = cx.errors.len();
    let at = cx.range(&raw.name.referenced);
    // The key `webhook`, written just before its value.
    let value_at = cx.range(&webhook.referenced);
    let webhook_at = cx.file.text[..value_at.start]
        .rfind("webhook")
        .map_or(value_at, |i| i..i + "webhook".len());
    no_request_keys(cx, &raw);
    let type_at = cx.range(&webhook.value.kind.referenced);
    let kind = WebhookKind::parse(&webhook.value.kind.value);
    if kind.is_none() {
        cx.error(
            type_at.clone(),
            format!("unknown webhook type `{}`", webhook.value.kind.value),
            "not a webhook type",
            &format!(
                "`webhook.type` is one of {}",
                list(WebhookKind::AWAITABLE.iter().map(|k| k.name().to_string()))
            ),
        );
    }
    let session = scope.template(cx, &webhook.value.session);
    if let Some(s) = &session
        && s.value.as_literal() == Some("")
    {
        cx.error(
            s.at.clone(),
            "`webhook.session` is empty",
            "no session",
            "name the session the webhook is for, e.g. `session: ${id}` after capturing `id: verification.id`",
        );
    }
    let within = within(cx, webhook.value.within.as_ref(), webhook_at.clone());
    let mut expect = match &raw.expect {
        Some(e) => {
            if let Some(status) = &e.value.status {
                let status_at = cx.range(&status.referenced);
                cx.error(
                    status_at,
                    "a webhook step has no `status` to expect",
                    "not for a webhook",
                    "the receiver answers every webhook with 200; check the webhook's `headers`, `body`, `schema` and `signature`",
                );
            }
            expect(cx, schemas, &e.value, &scope.with_response())
        }
        None => Expect::default(),
    };
    match raw.expect.as_ref().and_then(|e| e.value.signature.as_ref()) {
        Some(_) if expect.signature.value == SignatureExpect::Ignore => cx.error(
            expect.signature.at.clone(),
            "a webhook's signature is always checked",
            "cannot be ignored",
            "leave `signature` out, or write `required`: a webhook that is not signed with the shared secret never satisfies a step",
        ),
        Some(_) => {}
        // Written nowhere: its mismatches point at the step.
        None => expect.signature.at = at.clone(),
    }
    expect.signature.value = SignatureExpect::Required;
    let captures = captures(cx, raw.capture, scope);
    if cx.errors.len() != before {
        return None;
    }
    let kind = kind?;
    Some(Step {
        name: raw.name.value,
        at: at.clone(),
        method: reqwest::Method::from_bytes(WEBHOOK_METHOD.as_bytes()).ok()?,
        path: Located {
            value: Template::literal(kind.name()),
            at: type_at.clone(),
        },
        headers: Vec::new(),
        omit: Vec::new(),
        body: RequestBody::None,
        sign: Located {
            value: SignMode::None,
            at: webhook_at.clone(),
        },
        expect,
        captures,
        retry: None,
        group: None,
        webhook: Some(Box::new(AwaitWebhook {
            kind: Located {
                value: kind,
                at: type_at,
            },
            session: session?,
            within: within?,
            at: webhook_at,
        })),
    })
}

/// An error for each key of a request step written on a webhook step.
fn no_request_keys(cx: &mut FileCx<'_>, raw: &raw::Step) {
    let mut written: Vec<(&str, Range<usize>)> = Vec::new();
    if let Some(m) = &raw.method {
        written.push(("method", cx.range(&m.referenced)));
    }
    if let Some(p) = &raw.path {
        written.push(("path", cx.range(&p.referenced)));
    }
    if let Some((name, _)) = raw.headers.0.first() {
        written.push(("headers", cx.range(&name.referenced)));
    }
    if let Some(first) = raw.omit.first() {
        written.push(("omit", cx.range(&first.referenced)));
    }
    if let Some(b) = &raw.body {
        written.push(("body", cx.range(&b.referenced)));
    }
    if let Some(b) = &raw.raw_body {
        written.push(("raw_body", cx.range(&b.referenced)));
    }
    if let Some(s) = &raw.sign {
        written.push(("sign", cx.range(&s.referenced)));
    }
    if let Some(r) = &raw.retry {
        written.push(("retry", cx.range(&r.referenced)));
    }
    if let Some(r) = &raw.repeat {
        written.push(("repeat", cx.range(&r.referenced)));
    }
    if let Some(c) = &raw.concurrently {
        written.push(("concurrently", cx.range(&c.referenced)));
    }
    if let Some(g) = &raw.expect_group {
        written.push(("expect_group", cx.range(&g.referenced)));
    }
    for (key, at) in written {
        cx.error(
            at,
            format!("a webhook step has no `{key}`: it sends nothing"),
            "for a step that sends a request",
            "await the webhook in one step, and send requests in steps of their own",
        );
    }
}

/// `webhook.within`, or its default; errors point at the value.
fn within(
    cx: &mut FileCx<'_>,
    raw: Option<&raw::Any>,
    fallback_at: Range<usize>,
) -> Option<Located<Duration>> {
    let within = duration(cx, raw, "webhook.within", DEFAULT_WITHIN, fallback_at)?;
    if within.value.is_zero() || within.value > MAX_WITHIN {
        cx.error(
            within.at,
            "`webhook.within` is out of range",
            "here",
            "wait for more than 0s and at most 60m",
        );
        return None;
    }
    Some(within)
}
