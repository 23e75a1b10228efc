//! Politeness to the API under test: the run's rate cap (`--rate`) shared by
//! every scenario, and 429/503 answers with `Retry-After` retried after the
//! delay, up to a bound, and always shown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use veriff_conformance::CheckKind::Status;
use veriff_conformance::Executor;
use veriff_conformance::Rate;
use veriff_conformance::{Format, message};
use veriff_conformance::{MAX_RETRIES, MAX_RETRY_DELAY};
use veriff_conformance::{Retry, RunResults};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// A scenario of `steps` steps, each `GET /ping` expecting 200.
fn pings(name: &str, steps: usize) -> String {
    let mut yaml = format!("scenarios:\n  - name: {name}\n    steps:\n");
    for i in 0..steps {
        yaml.push_str(&format!(
            "      - name: ping {i}\n        method: GET\n        path: /ping\n        sign: none\n        expect: {{ status: 200 }}\n"
        ));
    }
    yaml
}

const ONE_GET: &str = "
scenarios:
  - name: one get
    steps:
      - name: get it
        method: GET
        path: /busy
        sign: none
        expect: { status: 200 }
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_cap_holds_across_concurrent_scenarios_and_adds_no_more_than_it_must() {
    let server = MockServer::start().await;
    Mock::given(path("/ping"))
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    let runner = Arc::new(
        Executor::new(target(&server.uri()))
            .unwrap()
            .with_rate(Rate::PerSecond(40.0)),
    );
    // 4 scenarios of 5 steps, all in flight at once: 20 requests on one cap.
    let scenarios: Vec<_> = (0..4)
        .map(|i| Arc::new(scenario(&pings(&format!("pinger {i}"), 5))))
        .collect();
    let started = Instant::now();
    let tasks: Vec<_> = scenarios
        .into_iter()
        .map(|s| {
            let runner = Arc::clone(&runner);
            tokio::spawn(async move { runner.run(&s).await })
        })
        .collect();
    for task in tasks {
        assert_passed(&task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(server.received_requests().await.unwrap().len(), 20);
    // The first request goes at once, then one every 1/40 s: 19 intervals.
    // Never faster than the cap (20% for the clock's grain); slower only by
    // what a loaded 2-core machine may add to 20 round trips, far below the
    // 0.95 s that a cap counted twice, or per scenario in turn, would take.
    let expected = 19.0 / 40.0;
    assert!(
        (expected * 0.8..=expected * 1.6).contains(&elapsed),
        "20 requests at 40/s took {elapsed:.3} s, expected {expected:.3} s (-20%, +60%)"
    );
}

#[test]
fn the_default_rate_is_unlimited_on_loopback_and_ten_a_second_elsewhere() {
    let local = Executor::new(target("http://127.0.0.1:1")).unwrap();
    assert_eq!(local.rate(), Rate::Unlimited);
    let remote = Executor::new(target("https://stationapi.veriff.com")).unwrap();
    assert_eq!(remote.rate(), Rate::PerSecond(10.0));
}

#[tokio::test]
async fn a_503_with_retry_after_is_retried_after_the_delay_and_the_retry_is_shown() {
    let server = MockServer::start().await;
    Mock::given(path("/busy"))
        .respond_with(json(503, "{}").insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/busy"))
        .respond_with(json(200, "{}"))
        .with_priority(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    let (_, result) = run(&server.uri(), ONE_GET).await;
    assert_passed(&result);
    assert!(started.elapsed() >= Duration::from_secs(1), "did not wait");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    let step = &result.steps[0];
    assert_eq!(step.exchange.response.status, 200);
    assert_eq!(
        step.attempts.retries,
        [Retry {
            status: 503,
            retry_after: "1".into(),
            delay: Duration::from_secs(1),
        }]
    );
    // A passing scenario's retry is in its JUnit test case.
    let xml = Format::Junit.render(
        &RunResults {
            scenarios: vec![Arc::new(result)],
            load_errors: vec![],
            drift: None,
            setup_error: None,
        },
        &masker(),
    );
    assert!(
        xml.contains("retried after a 503 with Retry-After: 1 (waited 1.0 s)"),
        "{xml}"
    );
}

#[tokio::test]
async fn a_retry_after_given_as_an_http_date_in_the_past_is_retried_at_once() {
    let server = MockServer::start().await;
    Mock::given(path("/busy"))
        .respond_with(json(429, "{}").insert_header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/busy"))
        .respond_with(json(200, "{}"))
        .with_priority(2)
        .mount(&server)
        .await;
    let (_, result) = run(&server.uri(), ONE_GET).await;
    assert_passed(&result);
    assert_eq!(result.steps[0].attempts.retries.len(), 1);
    assert_eq!(result.steps[0].attempts.retries[0].delay, Duration::ZERO);
}

#[tokio::test]
async fn retries_stop_at_their_bound_and_the_failure_shows_each_of_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(429, "{}").insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let (_, result) = run(&server.uri(), ONE_GET).await;
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1 + MAX_RETRIES
    );
    assert_eq!(
        found(failure(&result)),
        [m(Status, "", "200", "429")],
        "the last answer is judged"
    );
    let text = message::of(&result, &masker()).unwrap();
    assert_eq!(
        text.matches("note: retried after a 429 with Retry-After: 0 (waited 0.0 s)")
            .count(),
        MAX_RETRIES,
        "{text}"
    );
    assert!(
        text.contains("note: the 429 answer was not retried: the request was already retried 3 times, the most the harness retries"),
        "{text}"
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_the_bound_is_not_waited_for_and_says_so() {
    let server = MockServer::start().await;
    let too_long = (MAX_RETRY_DELAY.as_secs() + 1).to_string();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", too_long.as_str()))
        .mount(&server)
        .await;
    let started = Instant::now();
    let (_, result) = run(&server.uri(), ONE_GET).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(found(failure(&result)), [m(Status, "", "200", "503")]);
    let text = message::of(&result, &masker()).unwrap();
    assert!(
        text.contains(
            "note: the 503 answer was not retried: its Retry-After asks for 61 s, more than the 60 s the harness waits"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_503_without_retry_after_is_judged_as_it_is() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let (_, result) = run(&server.uri(), ONE_GET).await;
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_eq!(found(failure(&result)), [m(Status, "", "200", "503")]);
    assert!(result.steps[0].attempts.is_plain());
}
