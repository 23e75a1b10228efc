//! The hint after a `receiver` run in which a receiver URL refused every
//! genuine delivery with one status: that is its set-up (the credentials it
//! checks with, or the path), not the rules, that is wrong.
//!
//! A genuine delivery is one the suite expects answered with 200. A URL gets
//! a hint when at least one such delivery failed there, every one that failed
//! there was answered with the same 401, 403 or 404, and no delivery to it
//! was answered with 200 (which would prove the set-up right). The run must
//! keep the steps of the scenarios that passed, or a 200 would go unseen.

use std::collections::BTreeMap;

use crate::check::CheckKind;
use crate::results::{Outcome, RunResults};

/// How each receiver URL answered: the statuses of the genuine deliveries
/// refused there, and whether anything was accepted there.
#[derive(Default)]
struct Answers {
    refused: Vec<u16>,
    accepted: bool,
}

/// One `hint:` line per receiver URL that refused every genuine delivery
/// with the same status of 401, 403 or 404, in URL order; empty otherwise.
pub fn of_run(results: &RunResults) -> Vec<String> {
    let mut by_url: BTreeMap<&str, Answers> = BTreeMap::new();
    for result in &results.scenarios {
        for step in &result.steps {
            if step.exchange.response.status == 200 {
                by_url
                    .entry(step.exchange.request.url.as_str())
                    .or_default()
                    .accepted = true;
            }
        }
        let Outcome::Failed(failure) = &result.outcome else {
            continue;
        };
        for f in failure.by_step() {
            let wanted_200 = f
                .mismatches
                .iter()
                .any(|m| m.check == CheckKind::Status && m.expected == "200");
            if wanted_200 {
                by_url
                    .entry(f.exchange.request.url.as_str())
                    .or_default()
                    .refused
                    .push(f.exchange.response.status);
            }
        }
    }
    by_url
        .into_iter()
        .filter(|(_, answers)| !answers.accepted)
        .filter_map(|(url, answers)| {
            let (&first, rest) = answers.refused.split_first()?;
            if rest.iter().any(|&s| s != first) {
                return None;
            }
            let count = answers.refused.len();
            let every = if count == 1 {
                "the one genuine delivery".to_string()
            } else {
                format!("all {count} genuine deliveries")
            };
            let why = match first {
                401 | 403 => {
                    "a set-up problem rather than the rules: the receiver's shared secret or API key \
                     differ from the ones given (--shared-secret and --api-key, or \
                     VERIFF_SHARED_SECRET and VERIFF_API_KEY)"
                }
                404 => {
                    "a set-up problem rather than the rules: nothing answers at that path; check the \
                     path of the URL given (--decision-url, --event-url or --watchlist-url)"
                }
                _ => return None,
            };
            Some(format!(
                "hint: {url} answered {every} it was sent with {first}: {why}"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::check::Mismatch;
    use crate::record::exchange::{Exchange, Response, SentRequest};
    use crate::results::{Attempts, Failure, ScenarioResult, StepInfo, StepResult};
    use crate::scenario::source::SourceFile;

    fn exchange(url: &str, status: u16) -> Exchange {
        Exchange {
            request: SentRequest {
                method: reqwest::Method::POST,
                url: url.into(),
                headers: vec![],
                body: vec![],
            },
            response: Response::new(status, vec![], vec![]),
            elapsed: std::time::Duration::ZERO,
        }
    }

    fn step() -> StepInfo {
        StepInfo {
            number: 1,
            name: "deliver".into(),
            at: 0..1,
        }
    }

    /// A scenario whose one delivery to `url` wanted `expected` and got `status`.
    fn delivered(url: &str, expected: &str, status: u16) -> Arc<ScenarioResult> {
        let file = SourceFile::new("r.yaml", "r.yaml", "x\n");
        let outcome = if expected == "200" && status != 200 {
            Outcome::Failed(Box::new(Failure {
                step: step(),
                exchange: exchange(url, status),
                mismatches: vec![Mismatch {
                    check: CheckKind::Status,
                    path: String::new(),
                    expected: expected.into(),
                    actual: status.to_string(),
                    at: 0..1,
                }],
                later: vec![],
            }))
        } else {
            Outcome::Passed
        };
        let mut result = ScenarioResult::without_steps("r::x", file, outcome);
        result.steps.push(StepResult {
            step: step(),
            exchange: exchange(url, status),
            attempts: Attempts::default(),
            warnings: vec![],
        });
        Arc::new(result)
    }

    fn run(scenarios: Vec<Arc<ScenarioResult>>) -> RunResults {
        RunResults {
            scenarios,
            ..RunResults::default()
        }
    }

    #[test]
    fn a_url_that_refused_every_genuine_delivery_with_401_points_at_the_credentials() {
        let d = "http://r.test/decision";
        let hints = of_run(&run(vec![
            delivered(d, "200", 401),
            delivered(d, "200", 401),
            // A forgery refused with 401 passes and changes nothing.
            delivered(d, "not 2xx", 401),
        ]));
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(
            hints[0].starts_with("hint: http://r.test/decision answered all 2 genuine deliveries it was sent with 401"),
            "{hints:?}"
        );
        assert!(hints[0].contains("--shared-secret"), "{hints:?}");
    }

    #[test]
    fn a_url_that_answers_404_points_at_the_path_and_a_url_that_accepted_one_gets_no_hint() {
        let (d, e) = ("http://r.test/decision", "http://r.test/evnt");
        let hints = of_run(&run(vec![
            delivered(d, "200", 200),
            delivered(d, "200", 401),
            delivered(e, "200", 404),
        ]));
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(
            hints[0].contains(
                "http://r.test/evnt answered the one genuine delivery it was sent with 404"
            ),
            "{hints:?}"
        );
        assert!(hints[0].contains("--event-url"), "{hints:?}");
    }

    #[test]
    fn mixed_statuses_or_another_status_give_no_hint() {
        let d = "http://r.test/decision";
        assert!(
            of_run(&run(vec![
                delivered(d, "200", 401),
                delivered(d, "200", 404)
            ]))
            .is_empty()
        );
        assert!(of_run(&run(vec![delivered(d, "200", 500)])).is_empty());
        assert!(of_run(&run(vec![])).is_empty());
    }
}
