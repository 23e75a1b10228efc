//! Steps sent more than once: `retry:` (polling until expectations hold)
//! and the durations it is written with; `repeat:` groups and `expect_group:`.

use std::ops::Range;
use std::time::Duration;

use crate::scenario::raw::Json;

use super::cx::FileCx;
use super::expect::{expect, refuse_warn};
use super::schema_files::Schemas;
use super::scope::Scope;
use crate::scenario::model::{Bucket, Count, Group, Located, Poll, SignatureExpect};
use crate::scenario::raw;

/// `retry.every` when it is not written.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(1);
/// `retry.for` when it is not written.
pub const DEFAULT_FOR: Duration = Duration::from_secs(30);
/// The shortest `retry.every`.
pub const MIN_EVERY: Duration = Duration::from_millis(10);
/// The longest `retry.for`.
pub const MAX_FOR: Duration = Duration::from_secs(3600);

/// A duration written as whole `ms`, `s` or `m`: `500ms`, `2s`, `1m`.
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

/// A duration value written at `key` (`retry.every`, say), or its default;
/// errors point at the value.
pub(super) fn duration(
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
        Json::String(s) => parse_duration(s),
        _ => None,
    };
    match parsed {
        Some(value) => Some(Located { value, at }),
        None => {
            cx.error(
                at,
                format!("`{key}` is not a duration"),
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
    schemas: &Schemas,
    raw: &raw::Spanned<raw::Poll>,
    scope: &Scope,
) -> Option<Poll> {
    let at = cx.range(&raw.referenced);
    refuse_warn(cx, &raw.value.until.value, "`retry.until`");
    let mut until = expect(cx, schemas, &raw.value.until.value, scope);
    if raw.value.until.value.signature.is_none() {
        // The step's own `expect` checks the signature of the answer that converged.
        until.signature.value = SignatureExpect::Ignore;
    }
    let every = duration(
        cx,
        raw.value.every.as_ref(),
        "retry.every",
        DEFAULT_EVERY,
        at.clone(),
    );
    let within = duration(
        cx,
        raw.value.within.as_ref(),
        "retry.for",
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

/// The most requests one `repeat:` sends.
pub const MAX_REPEAT: usize = 100;

/// `repeat:`, `concurrently:` and `expect_group:` of one step.
pub(super) fn group(
    cx: &mut FileCx<'_>,
    schemas: &Schemas,
    raw: &raw::Step,
    scope: &Scope,
) -> Option<Group> {
    let Some(repeat) = &raw.repeat else {
        if let Some(c) = &raw.concurrently {
            let at = cx.range(&c.referenced);
            cx.error(
                at,
                "`concurrently` needs `repeat`",
                "nothing to send at once",
                "add `repeat: <how many requests>` to the step",
            );
        }
        if let Some(g) = &raw.expect_group {
            let at = cx.range(&g.referenced);
            cx.error(
                at,
                "`expect_group` needs `repeat`",
                "no group",
                "add `repeat: <how many requests>` to the step",
            );
        }
        return None;
    };
    let before = cx.errors.len();
    let repeat_at = cx.range(&repeat.referenced);
    let size = repeat
        .value
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| (1..=MAX_REPEAT).contains(n));
    if size.is_none() {
        cx.error(
            repeat_at.clone(),
            "`repeat` is not a number of requests from 1 to 100",
            "here",
            "write how many times to send the request, e.g. `repeat: 5`",
        );
    }
    if raw.retry.is_some() {
        cx.error(
            repeat_at.clone(),
            "a step has either `repeat` or `retry`, not both",
            "second way to resend",
            "poll in one step and send the group in another",
        );
    }
    if !raw.capture.is_empty() {
        cx.error(
            repeat_at.clone(),
            "a step with `repeat` cannot `capture`: it has several answers",
            "several answers",
            "capture in a step that sends one request",
        );
    }
    let mut buckets = Vec::new();
    let mut rest_at = None;
    let mut exact = 0usize;
    let mut counts_read = true;
    if let Some(raw_buckets) = &raw.expect_group {
        if raw_buckets.value.is_empty() {
            let at = cx.range(&raw_buckets.referenced);
            cx.error(
                at,
                "`expect_group` is empty",
                "empty list",
                "list at least one `{ count, expect }` entry, or leave `expect_group` out",
            );
        }
        for b in &raw_buckets.value {
            let at = cx.range(&b.expect.referenced);
            let count_at = cx.range(&b.count.referenced);
            let count = match &b.count.value {
                Json::String(s) if s == "rest" => Some(Count::Rest),
                v => v
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .map(Count::Exactly),
            };
            match count {
                Some(Count::Rest) if rest_at.is_some() => cx.error(
                    count_at.clone(),
                    "two entries of `expect_group` say `count: rest`",
                    "second `rest`",
                    "only one entry can take the answers the others leave",
                ),
                Some(Count::Rest) => rest_at = Some(count_at.clone()),
                Some(Count::Exactly(n)) => exact += n,
                None => {
                    counts_read = false;
                    cx.error(
                    count_at.clone(),
                    "not a count",
                    "here",
                    "write a number of answers (`1`) or `rest` (the answers the other entries leave)",
                )
                }
            }
            refuse_warn(cx, &b.expect.value, "an `expect_group` entry");
            let mut expect = expect(cx, schemas, &b.expect.value, scope);
            if b.expect.value.signature.is_none() {
                // The step's own `expect` checks every answer's signature.
                expect.signature.value = SignatureExpect::Ignore;
            }
            if expect.status.is_none() {
                cx.error(
                    at.clone(),
                    "an entry of `expect_group` needs a `status`",
                    "no status",
                    "answers are sorted into entries by status: add `status: 200` (or a class, or a list)",
                );
            }
            if let Some(count) = count {
                buckets.push(Bucket {
                    count: Located {
                        value: count,
                        at: count_at,
                    },
                    expect,
                    at,
                });
            }
        }
        if let (Some(size), true) = (size, counts_read) {
            let at = cx.range(&raw_buckets.referenced);
            if exact > size {
                cx.error(
                    at,
                    format!("the counts of `expect_group` add up to {exact}, more than the {size} requests of `repeat`"),
                    "too many",
                    "make the counts add up to `repeat`, or use `count: rest`",
                );
            } else if exact < size && rest_at.is_none() && !raw_buckets.value.is_empty() {
                cx.error(
                    at,
                    format!("the counts of `expect_group` add up to {exact}, fewer than the {size} requests of `repeat`"),
                    "too few",
                    "make the counts add up to `repeat`, or give one entry `count: rest`",
                );
            }
        }
    }
    let size = size?;
    (cx.errors.len() == before).then_some(Group {
        size: Located {
            value: size,
            at: repeat_at,
        },
        concurrently: raw.concurrently.as_ref().is_some_and(|c| c.value),
        buckets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_is_whole_milliseconds_seconds_or_minutes_with_its_unit() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("2"), None);
        assert_eq!(parse_duration("1.5s"), None);
    }
}
