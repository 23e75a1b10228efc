//! The answer-time budget: an answer slower than the run's budget is a
//! warning, never a failure (Veriff documents no timeout for deliveries).

use std::ops::Range;
use std::time::Duration;

use super::{CheckKind, Warning};
use crate::record::exchange::Exchange;

/// The warning, if any: `exchange` took longer than `budget` to answer.
/// `at` is the step it belongs to.
pub fn warning(budget: Duration, exchange: &Exchange, at: &Range<usize>) -> Option<Warning> {
    (exchange.elapsed > budget).then(|| Warning {
        check: CheckKind::Time,
        path: String::new(),
        expected: format!("an answer within {} (--answer-budget)", seconds(budget)),
        actual: format!("answered in {}", seconds(exchange.elapsed)),
        at: at.clone(),
    })
}

fn seconds(d: Duration) -> String {
    crate::duration_text::duration_text(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::exchange::{Response, SentRequest};

    fn exchange(elapsed: Duration) -> Exchange {
        Exchange {
            request: SentRequest {
                method: reqwest::Method::POST,
                url: "http://127.0.0.1:9/hook".into(),
                headers: Vec::new(),
                body: Vec::new(),
            },
            response: Response::new(200, Vec::new(), Vec::new()),
            elapsed,
        }
    }

    #[test]
    fn an_answer_over_the_budget_is_a_warning_that_says_both_times() {
        let w = warning(
            Duration::from_secs(5),
            &exchange(Duration::from_millis(6200)),
            &(3..9),
        )
        .unwrap();
        assert_eq!(w.check, CheckKind::Time);
        assert_eq!(w.actual, "answered in 6.2 s");
        assert_eq!(w.expected, "an answer within 5.0 s (--answer-budget)");
        assert_eq!(w.at, 3..9);
    }

    #[test]
    fn an_answer_within_the_budget_is_no_warning() {
        let budget = Duration::from_secs(5);
        assert!(warning(budget, &exchange(budget), &(0..1)).is_none());
        assert!(warning(budget, &exchange(Duration::ZERO), &(0..1)).is_none());
    }
}
