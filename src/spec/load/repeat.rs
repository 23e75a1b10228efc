//! Steps sent more than once: `retry:` (polling until expectations hold),
//! and the durations it is written with.

use std::ops::Range;
use std::time::Duration;

use serde_json::Value;

use super::cx::FileCx;
use super::expect::expect;
use super::schema::Schemas;
use super::scope::Scope;
use crate::spec::model::{Located, Poll, SignatureExpect};
use crate::spec::raw;

/// `retry.every` when it is not written.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(1);
/// `retry.for` when it is not written.
pub const DEFAULT_FOR: Duration = Duration::from_secs(30);
/// The shortest `retry.every`.
pub const MIN_EVERY: Duration = Duration::from_millis(10);
/// The longest `retry.for`.
pub const MAX_FOR: Duration = Duration::from_secs(3600);

/// A duration written as whole `ms`, `s` or `m`: `500ms`, `2s`, `1m`.
///
/// ```
/// use std::time::Duration;
/// use veriff_conformance::spec::load::parse_duration;
/// assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
/// assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
/// assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
/// assert_eq!(parse_duration("2"), None);
/// assert_eq!(parse_duration("1.5s"), None);
/// ```
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let n: u64 = text[..digits].parse().ok()?;
    match &text[digits..] {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => n.checked_mul(60).map(Duration::from_secs),
        _ => None,
    }
}

fn show(d: Duration) -> String {
    if d.subsec_millis() != 0 || d.is_zero() {
        format!("{}ms", d.as_millis())
    } else if d.as_secs().is_multiple_of(60) {
        format!("{}m", d.as_secs() / 60)
    } else {
        format!("{}s", d.as_secs())
    }
}

/// A duration value of `retry`, or its default; errors point at the value.
fn duration(
    cx: &mut FileCx<'_>,
    raw: Option<&raw::Any>,
    key: &str,
    default: Duration,
    fallback_at: Range<usize>,
) -> Option<Located<Duration>> {
    let Some(raw) = raw else {
        return Some(Located {
            value: default,
            at: fallback_at,
        });
    };
    let at = cx.range(&raw.referenced);
    let parsed = match &raw.value {
        Value::String(s) => parse_duration(s),
        _ => None,
    };
    match parsed {
        Some(value) => Some(Located { value, at }),
        None => {
            cx.error(
                at,
                format!("`retry.{key}` is not a duration"),
                "here",
                "write whole milliseconds, seconds or minutes with their unit: `500ms`, `2s`, `1m`",
            );
            None
        }
    }
}

/// `retry:`; `scope` allows `${response...}`, as under `expect`.
pub(super) fn poll(
    cx: &mut FileCx<'_>,
    schemas: &mut Schemas,
    raw: &serde_saphyr::Spanned<raw::Poll>,
    scope: &Scope,
) -> Option<Poll> {
    let at = cx.range(&raw.referenced);
    let mut until = expect(cx, schemas, &raw.value.until.value, scope);
    if raw.value.until.value.signature.is_none() {
        // The step's own `expect` checks the signature of the answer that converged.
        until.signature.value = SignatureExpect::Ignore;
    }
    let every = duration(
        cx,
        raw.value.every.as_ref(),
        "every",
        DEFAULT_EVERY,
        at.clone(),
    );
    let within = duration(
        cx,
        raw.value.within.as_ref(),
        "for",
        DEFAULT_FOR,
        at.clone(),
    );
    let (every, within) = (every?, within?);
    let before = cx.errors.len();
    if every.value < MIN_EVERY {
        cx.error(
            every.at.clone(),
            format!(
                "`retry.every` is {}, shorter than {}",
                show(every.value),
                show(MIN_EVERY)
            ),
            "too short",
            "poll at most every 10ms; the run's --rate applies as well",
        );
    }
    if within.value > MAX_FOR {
        cx.error(
            within.at.clone(),
            format!(
                "`retry.for` is {}, longer than {}",
                show(within.value),
                show(MAX_FOR)
            ),
            "too long",
            "poll for at most 60m",
        );
    } else if every.value > within.value {
        cx.error(
            every.at.clone(),
            format!(
                "`retry.every` ({}) is longer than `retry.for` ({})",
                show(every.value),
                show(within.value)
            ),
            "longer than `for`",
            "the step would be sent once only; make `every` shorter or `for` longer (defaults: every 1s, for 30s)",
        );
    }
    (cx.errors.len() == before).then_some(Poll {
        until,
        every,
        within,
        at,
    })
}
