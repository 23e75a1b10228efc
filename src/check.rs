//! Checks: pure functions from an expectation and a recorded exchange to the
//! list of unmet expectations. Every check runs; none stops at the first mismatch,
//! and none prints.

pub mod body;
pub mod bytes;
pub mod capture;
pub mod group;
pub mod headers;
pub mod schema;
pub mod signature;
pub mod status;
pub mod timing;

use std::ops::Range;

use crate::record::env::Env;
use crate::record::exchange::Exchange;
use crate::scenario::model::Expect;

/// Which kind of expectation a [`Mismatch`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// `expect.status`.
    Status,
    /// `expect.headers`.
    Header,
    /// `expect.schema`.
    Schema,
    /// `expect.body`.
    Body,
    /// `expect.signature`.
    Signature,
    /// `capture`.
    Capture,
    /// `expect_group`: the answers of a `repeat:` group as a whole.
    Group,
    /// A change from a recorded baseline (`run --baseline`), not an expectation of the spec.
    Drift,
    /// `webhook`: no webhook of the type awaited, for the session, came in time.
    Webhook,
    /// The time an answer took, against the run's budget (warnings only).
    Time,
}

impl CheckKind {
    /// The spec key it comes from.
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Status => "status",
            CheckKind::Header => "header",
            CheckKind::Schema => "schema",
            CheckKind::Body => "body",
            CheckKind::Signature => "signature",
            CheckKind::Capture => "capture",
            CheckKind::Group => "expect_group",
            CheckKind::Drift => "drift",
            CheckKind::Webhook => "webhook",
            CheckKind::Time => "answer time",
        }
    }
}

/// One unmet expectation: where in the response, what was expected, what came.
/// `expected` and `actual` are whole; reports mask secrets in them, then shorten them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The kind of expectation.
    pub check: CheckKind,
    /// Where in the response: a JSON path (`$.verification.id`), a header name, or empty.
    pub path: String,
    /// What the spec expects.
    pub expected: String,
    /// What the response had.
    pub actual: String,
    /// Where the expectation is written in the spec (byte range).
    pub at: Range<usize>,
}

/// Something odd that the docs do not forbid: a severity below a [`Mismatch`].
/// It never fails a scenario unless the run denies warnings (`--deny-drift`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The kind of check that noticed it.
    pub check: CheckKind,
    /// Where in the response: a JSON path, a header name, or empty.
    pub path: String,
    /// What would be expected of a tidy response: what a `warn:` block
    /// expects, or what the check's own rule asks.
    pub expected: String,
    /// What the response had (for a check's own rule, and why it is odd).
    /// Whole; reports mask it and `expected`, then shorten them.
    pub actual: String,
    /// Where the rule is written in the spec (byte range).
    pub at: Range<usize>,
}

/// Every warning about a step's exchange: what its checks noticed without
/// failing it, and each unmet expectation of its `warn:` block.
///
/// `secret` verifies the response signature; it never appears in a warning.
pub fn warn_step(expect: &Expect, exchange: &Exchange, env: &Env, secret: &str) -> Vec<Warning> {
    let response = &exchange.response;
    let mut out: Vec<Warning> = signature::warning(&expect.signature, response, secret)
        .into_iter()
        .chain(signature::vrf_warning(&expect.signature, response, secret))
        .collect();
    if let Some(warn) = &expect.warn {
        out.extend(
            check_step(warn, exchange, env, secret)
                .into_iter()
                .map(Warning::from_warn_block),
        );
    }
    out
}

impl Warning {
    /// An unmet expectation of a `warn:` block, as the warning it is.
    fn from_warn_block(m: Mismatch) -> Warning {
        Warning {
            check: m.check,
            path: m.path,
            actual: m.actual,
            expected: m.expected,
            at: m.at,
        }
    }
}

/// Runs every expectation of a step against its exchange.
///
/// The expectation is taken apart field by field, with no `..`: a new kind
/// of expectation does not compile until it is checked here.
///
/// `secret` verifies the response signature; it never appears in a mismatch.
pub fn check_step(expect: &Expect, exchange: &Exchange, env: &Env, secret: &str) -> Vec<Mismatch> {
    let Expect {
        status,
        headers,
        schema,
        body,
        body_exact,
        body_bytes,
        signature,
        // Its unmet parts are warnings: `warn_step`.
        warn: _,
    } = expect;
    let response = &exchange.response;
    let mut out = Vec::new();
    if let Some(status) = status {
        out.extend(status::check(status, response.status));
    }
    out.extend(headers::check(headers, response, env));
    if let Some(schema) = schema {
        out.extend(schema::check(schema, response));
    }
    if let Some(body) = body {
        out.extend(body::check(body, *body_exact, response, env));
    }
    if let Some(expected) = body_bytes {
        out.extend(bytes::check(expected, response));
    }
    out.extend(signature::check(signature, response, secret));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::exchange::{Exchange, Response, SentRequest};
    use crate::scenario::model::{Located, StatusExpect};

    fn status(code: u16) -> Option<Located<StatusExpect>> {
        Some(Located {
            value: StatusExpect::AnyOf(vec![code]),
            at: 3..4,
        })
    }

    #[test]
    fn an_unmet_warn_block_gives_warnings_and_no_mismatch() {
        let expect = Expect {
            status: status(201),
            warn: Some(Box::new(Expect {
                status: status(200),
                ..Expect::default()
            })),
            ..Expect::default()
        };
        let exchange = Exchange {
            request: SentRequest {
                method: reqwest::Method::GET,
                url: "http://x/".into(),
                headers: Vec::new(),
                body: Vec::new(),
            },
            response: Response::new(201, vec![], b"{}".to_vec()),
            elapsed: std::time::Duration::ZERO,
        };
        let env = Env::new("http://x");
        assert!(check_step(&expect, &exchange, &env, "s").is_empty());
        let warnings = warn_step(&expect, &exchange, &env, "s");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].check, CheckKind::Status);
        assert_eq!(warnings[0].actual, "201");
        assert_eq!(warnings[0].expected, "200");
        assert_eq!(warnings[0].at, 3..4);
    }
}
