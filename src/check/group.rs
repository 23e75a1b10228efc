//! `expect_group`: the answers of a `repeat:` group, as a whole. Each answer
//! belongs to the first entry whose `status` accepts it and must meet that
//! entry's expectations; each entry must hold its count of answers.

use super::{CheckKind, Mismatch, check_step};
use crate::record::env::Env;
use crate::record::exchange::Exchange;
use crate::scenario::model::{Bucket, Count};

/// What a group's answers did not meet, and the answer that shows it best
/// (0-based): the first one with an unmet expectation of its own, else the
/// first answer beyond the count of an entry that has too many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Every unmet expectation; an answer's own are prefixed `#n` (1-based).
    pub mismatches: Vec<Mismatch>,
    /// The answer to show with them.
    pub telling: Option<usize>,
}

fn answers(n: usize) -> String {
    format!("{n} answer{}", if n == 1 { "" } else { "s" })
}

/// Checks `exchanges` (in the order the requests were built) against `buckets`.
/// `secret` verifies signatures that an entry requires.
pub fn check(buckets: &[Bucket], exchanges: &[&Exchange], env: &Env, secret: &str) -> Verdict {
    let mut verdict = Verdict::default();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); buckets.len()];
    for (i, exchange) in exchanges.iter().enumerate() {
        let status = exchange.response.status;
        let bucket = buckets.iter().position(|b| {
            b.expect
                .status
                .as_ref()
                .is_some_and(|s| s.value.accepts(status))
        });
        let Some(b) = bucket else {
            let wanted: Vec<String> = buckets
                .iter()
                .filter_map(|b| b.expect.status.as_ref().map(|s| s.value.to_string()))
                .collect();
            verdict.mismatches.push(Mismatch {
                check: CheckKind::Group,
                path: format!("#{}", i + 1),
                expected: format!("a status of an entry: {}", wanted.join(", ")),
                actual: status.to_string(),
                at: buckets.first().map_or(0..0, |b| b.at.clone()),
            });
            verdict.telling.get_or_insert(i);
            continue;
        };
        members[b].push(i);
        let own = check_step(&buckets[b].expect, exchange, env, secret);
        if !own.is_empty() {
            verdict.telling.get_or_insert(i);
        }
        verdict.mismatches.extend(own.into_iter().map(|mut m| {
            m.path = format!("#{} {}", i + 1, m.path).trim_end().to_string();
            m
        }));
    }
    let exact: usize = buckets
        .iter()
        .filter_map(|b| match b.count.value {
            Count::Exactly(n) => Some(n),
            Count::Rest => None,
        })
        .sum();
    for (bucket, members) in buckets.iter().zip(&members) {
        let (wanted, expected) = match bucket.count.value {
            Count::Exactly(n) => (n, format!("exactly {}", answers(n))),
            Count::Rest => {
                let n = exchanges.len().saturating_sub(exact);
                (n, format!("the rest: {}", answers(n)))
            }
        };
        if members.len() == wanted {
            continue;
        }
        if members.len() > wanted {
            verdict.telling.get_or_insert(members[wanted]);
        }
        let which: Vec<String> = members.iter().map(|i| format!("#{}", i + 1)).collect();
        let status = bucket
            .expect
            .status
            .as_ref()
            .map_or(String::new(), |s| s.value.to_string());
        verdict.mismatches.push(Mismatch {
            check: CheckKind::Group,
            path: format!("status {status}"),
            expected,
            actual: if which.is_empty() {
                "none".to_string()
            } else {
                format!("{} ({})", answers(members.len()), which.join(", "))
            },
            at: bucket.count.at.clone(),
        });
    }
    verdict
}
