//! `repeat: N` (with `concurrently: true`) and `expect_group:`: a group of
//! requests sent together and judged as a whole. The race scenario of the
//! suite is tested against the mock in `tests/suite/embedded.rs` and against
//! a mock that lets concurrent submits through in `tests/suite/breakages.rs`.

use std::path::Path;
use std::time::{Duration, Instant};

use veriff_conformance::CheckKind::{Body, Group};
use veriff_conformance::GroupPlace;
use veriff_conformance::Loader;
use veriff_conformance::message;
use veriff_conformance::{Files, SourceFile};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer};

use crate::support::*;

/// One step `GET /thing` sent `repeat` times, with extra step keys.
fn group(extra: &str) -> String {
    format!(
        "
scenarios:
  - name: a group
    steps:
      - name: get it
        method: GET
        path: /thing
        sign: none
{extra}"
    )
}

const TWO_BUCKETS: &str = "        expect_group:
          - count: 1
            expect: { status: 200 }
          - count: rest
            expect: { status: 409, body: { message: taken } }
";

async fn slow_server(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(json(200, r#"{"message":"ok"}"#).set_delay(delay))
        .mount(&server)
        .await;
    server
}

/// A server that answers 200 only once `n` requests are in flight at the
/// same time (each waits for the others, 10 s at most), and 503 to a request
/// that waited in vain: the server itself proves that requests overlapped,
/// with no timing in the test. Plain threads, ending with the test process.
fn rendezvous_server(n: usize) -> String {
    use std::io::{Read, Write};
    use std::sync::{Arc, Condvar, Mutex};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let arrived = Arc::new((Mutex::new(0usize), Condvar::new()));
    std::thread::spawn(move || {
        for socket in listener.incoming() {
            let Ok(mut socket) = socket else { return };
            let arrived = Arc::clone(&arrived);
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(k) => head.extend_from_slice(&buf[..k]),
                    }
                }
                let (count, wake) = &*arrived;
                let mut count = count.lock().unwrap();
                *count += 1;
                wake.notify_all();
                let (count, _) = wake
                    .wait_timeout_while(count, Duration::from_secs(10), |c| *c < n)
                    .unwrap();
                let (status, body) = if *count >= n {
                    ("200 OK", r#"{"message":"ok"}"#)
                } else {
                    ("503 Service Unavailable", r#"{"message":"alone"}"#)
                };
                drop(count);
                let _ = socket.write_all(
                    format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_group_is_sent_at_the_same_moment_and_a_plain_repeat_one_after_another() {
    // The three answers come only if the three requests are in flight together.
    let (_, result) = run(
        &rendezvous_server(3),
        &group("        repeat: 3\n        concurrently: true\n        expect: { status: 200 }\n"),
    )
    .await;
    assert_passed(&result);
    let places: Vec<Option<GroupPlace>> = result.steps.iter().map(|s| s.attempts.group).collect();
    assert_eq!(
        places,
        (1..=3)
            .map(|index| Some(GroupPlace {
                index,
                of: 3,
                concurrently: true
            }))
            .collect::<Vec<_>>()
    );

    let delay = Duration::from_millis(300);
    let server = slow_server(delay).await;
    let started = Instant::now();
    let (_, result) = run(&server.uri(), &group("        repeat: 3\n")).await;
    let in_turn = started.elapsed();
    assert_passed(&result);
    assert_eq!(result.steps.len(), 3);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    // One after another cannot take less than three delays (a lower bound only).
    assert!(in_turn >= delay * 3, "{in_turn:?}");
}

#[tokio::test]
async fn each_answer_meets_expect_and_its_mismatches_name_its_place() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(json(200, r#"{"message":"ok"}"#))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/thing"))
        .respond_with(json(200, r#"{"message":"other"}"#))
        .with_priority(2)
        .mount(&server)
        .await;
    let (_, result) = run(
        &server.uri(),
        &group("        repeat: 3\n        expect: { body: { message: ok } }\n"),
    )
    .await;
    let f = failure(&result);
    assert_eq!(found(f), [m(Body, "#3 $.message", "\"ok\"", "\"other\"")]);
    assert_eq!(
        f.exchange.response.body, br#"{"message":"other"}"#,
        "the failing answer is shown"
    );
}

#[tokio::test]
async fn counts_per_status_are_checked_and_every_answer_is_sorted_by_status() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(json(200, r#"{"message":"ok"}"#))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/thing"))
        .respond_with(json(409, r#"{"message":"taken"}"#))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/thing"))
        .respond_with(json(500, "{}"))
        .with_priority(3)
        .mount(&server)
        .await;
    let yaml = group(&format!("        repeat: 4\n{TWO_BUCKETS}"));
    let (_, result) = run(&server.uri(), &yaml).await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [
            m(Group, "#4", "a status of an entry: 200, 409", "500"),
            m(
                Group,
                "status 200",
                "exactly 1 answer",
                "2 answers (#1, #2)"
            ),
            m(Group, "status 409", "the rest: 3 answers", "1 answer (#3)"),
        ]
    );
    let text = message::of(&result, &masker()).unwrap();
    assert!(
        text.contains(
            "note: 4 requests sent one after another; statuses in that order: 200, 200, 409, 500"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_group_whose_answers_fit_its_entries_passes() {
    let server = MockServer::start().await;
    Mock::given(path("/thing"))
        .respond_with(json(200, r#"{"message":"ok"}"#))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/thing"))
        .respond_with(json(409, r#"{"message":"taken"}"#))
        .with_priority(2)
        .mount(&server)
        .await;
    let yaml = group(&format!(
        "        repeat: 4\n        concurrently: true\n{TWO_BUCKETS}"
    ));
    let (_, result) = run(&server.uri(), &yaml).await;
    assert_passed(&result);
    assert_eq!(result.steps.len(), 4);
}

fn errors_for(extra: &str) -> Vec<String> {
    let file = SourceFile::new("t.yaml", Path::new("t.yaml"), group(extra));
    let (_, errors) = Loader::new(Files::Disk).load(&file, "t");
    errors.iter().map(|e| e.render_plain()).collect()
}

#[test]
fn groups_that_cannot_be_judged_are_spec_errors() {
    let cases = [
        (
            "        concurrently: true\n",
            "`concurrently` needs `repeat`",
        ),
        (
            "        expect_group: [{ count: 1, expect: { status: 200 } }]\n",
            "`expect_group` needs `repeat`",
        ),
        (
            "        repeat: 0\n",
            "`repeat` is not a number of requests from 1 to 100",
        ),
        (
            "        repeat: 101\n",
            "`repeat` is not a number of requests from 1 to 100",
        ),
        (
            "        repeat: 2\n        capture: { x: a }\n",
            "a step with `repeat` cannot `capture`",
        ),
        (
            "        repeat: 2\n        retry: { until: { status: 200 } }\n",
            "a step has either `repeat` or `retry`",
        ),
        (
            "        repeat: 3\n        expect_group: [{ count: 1, expect: { status: 200 } }]\n",
            "the counts of `expect_group` add up to 1, fewer than the 3 requests of `repeat`",
        ),
        (
            "        repeat: 1\n        expect_group: [{ count: 2, expect: { status: 200 } }]\n",
            "the counts of `expect_group` add up to 2, more than the 1 requests of `repeat`",
        ),
        (
            "        repeat: 2\n        expect_group: [{ count: rest, expect: { status: 200 } }, { count: rest, expect: { status: 400 } }]\n",
            "two entries of `expect_group` say `count: rest`",
        ),
        (
            "        repeat: 2\n        expect_group: [{ count: rest, expect: { body: {} } }]\n",
            "an entry of `expect_group` needs a `status`",
        ),
        (
            "        repeat: 2\n        expect_group: [{ count: some, expect: { status: 200 } }]\n",
            "not a count",
        ),
    ];
    for (extra, message) in cases {
        let errors = errors_for(extra);
        assert_eq!(errors.len(), 1, "{extra}: {errors:#?}");
        assert!(errors[0].contains(message), "{extra}: {}", errors[0]);
        assert!(errors[0].contains("--> t.yaml:"), "{}", errors[0]);
    }
}
