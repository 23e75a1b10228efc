//! Each rule of the receiver suite, against a correct receiver and against
//! receivers that break only that rule.

use std::time::Duration;

use crate::support::{Flaw, Receiver, Run};

/// The trials a receiver with `flaw` fails, and the run.
async fn failing(flaw: Flaw) -> (Vec<String>, Run) {
    let receiver = Receiver::start(flaw).await;
    let run = receiver.run(&[]);
    let failed = run.with("FAILED").into_iter().map(String::from).collect();
    (failed, run)
}

/// Asserts that a receiver with `flaw` fails exactly `expected`, with exit status 101.
async fn fails_exactly(flaw: Flaw, expected: &[&str]) -> Run {
    let (failed, run) = failing(flaw).await;
    assert_eq!(failed, expected, "{flaw:?}:\n{}", run.text());
    assert_eq!(run.status, Some(101), "{}", run.text());
    run
}

/// Asserts that a receiver with `flaw` passes every rule, with exit status
/// 0, and gets warnings under exactly `expected`: what it breaks rests on
/// Veriff's older docs or a third party only.
async fn warns_exactly(flaw: Flaw, expected: &[&str]) -> Run {
    let (failed, run) = failing(flaw).await;
    assert_eq!(failed, Vec::<String>::new(), "{flaw:?}:\n{}", run.text());
    assert_eq!(run.status, Some(0), "{}", run.text());
    let warned: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("---- "))
        .filter_map(|l| l.strip_suffix(": warnings ----"))
        .collect();
    assert_eq!(warned, expected, "{flaw:?}:\n{}", run.text());
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_receiver_passes_every_rule() {
    let receiver = Receiver::start(Flaw::None).await;
    let run = receiver.run(&[]);
    assert_eq!(run.status, Some(0), "{}", run.text());
    assert!(run.trials.len() >= 25, "{}", run.text());
    assert_eq!(run.with("ok").len(), run.trials.len(), "{}", run.text());
    for rule in [
        "answers_200::",
        "verifies_raw_bytes::",
        "refuses_forgeries::",
        "tolerates_the_future::",
        "is_idempotent_and_order_free::",
        "survives_bad_bodies::",
    ] {
        assert!(
            run.trials.keys().any(|t| t.starts_with(rule)),
            "no trial for {rule}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_is_sent_nothing_but_webhook_posts_to_its_urls() {
    let receiver = Receiver::start(Flaw::None).await;
    let run = receiver.run(&[]);
    assert_eq!(run.status, Some(0), "{}", run.text());
    assert_eq!(receiver.strays(), Vec::<String>::new(), "{}", run.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_verifies_re_serialised_json_fails_the_raw_bytes_rule_only() {
    fails_exactly(
        Flaw::ReSerialises,
        &[
            "verifies_raw_bytes::a_pretty_printed_decision_with_escaped_names",
            "verifies_raw_bytes::an_event_with_spaces_after_its_colons",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_accepts_a_missing_signature_fails_that_forgery_only() {
    let run = fails_exactly(
        Flaw::AcceptsMissingSignature,
        &["refuses_forgeries::a_decision_without_a_signature"],
    )
    .await;
    assert!(run.stdout.contains("expected: not 2xx"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_ignores_x_auth_client_is_warned_of_the_two_api_key_forgeries() {
    // Only Veriff's 2019 guide says a receiver checks X-AUTH-CLIENT.
    warns_exactly(
        Flaw::IgnoresAuthClient,
        &[
            "refuses_forgeries::a_decision_with_the_api_key_of_another_integration",
            "refuses_forgeries::a_decision_without_an_api_key",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_answers_500_to_a_body_that_is_not_json_is_warned_by_the_bad_body_rule() {
    // Only Veriff's 2019 guide asks a receiver to survive invalid JSON.
    let run = warns_exactly(
        Flaw::CrashesOnBadJson,
        &[
            "survives_bad_bodies::a_signed_body_cut_short",
            "survives_bad_bodies::a_signed_body_that_is_not_json",
        ],
    )
    .await;
    assert!(run.stdout.contains("500; expected 4xx"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_answers_204_fails_every_rule_that_wants_200_and_no_other() {
    let (failed, run) = failing(Flaw::Answers204).await;
    // Where the delivery's shape rests on a third party only, a 204 is a warning.
    let warned_only = [
        "answers_200::an_abandoned_session",
        "answers_200::an_expired_session",
        "answers_200::a_watchlist_screening_with_a_possible_match",
        "tolerates_the_future::a_decision_whose_person_data_is_all_null",
    ];
    let wanting_200: Vec<String> = run
        .trials
        .keys()
        .filter(|t| {
            !t.starts_with("refuses_forgeries::")
                && !t.starts_with("survives_bad_bodies::")
                && !warned_only.contains(&t.as_str())
        })
        .cloned()
        .collect();
    assert_eq!(failed, wanting_200, "{}", run.text());
    for trial in warned_only {
        assert!(
            run.stdout.contains(&format!("---- {trial}: warnings ----")),
            "{trial} is not warned:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("expected: 200"), "{}", run.stdout);
    assert!(run.stdout.contains("actual:   204"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_rejects_unknown_properties_fails_the_future_rule_only() {
    fails_exactly(
        Flaw::RejectsUnknown,
        &[
            "tolerates_the_future::a_decision_with_unknown_properties_at_every_level",
            "tolerates_the_future::an_event_with_an_unknown_action_and_code",
            "tolerates_the_future::an_event_with_unknown_properties",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_chokes_on_null_person_data_is_warned_in_those_cases_only() {
    // That such fields come as null is a third party's transcription.
    warns_exactly(
        Flaw::ChokesOnNull,
        &["tolerates_the_future::a_decision_whose_person_data_is_all_null"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_refuses_a_duplicate_fails_the_idempotency_cases() {
    let run = fails_exactly(
        Flaw::RefusesDuplicates,
        &[
            "is_idempotent_and_order_free::the_same_decision_twice",
            "is_idempotent_and_order_free::the_same_event_twice",
        ],
    )
    .await;
    assert!(
        run.stdout.contains("step 2 \"deliver it again\""),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_refuses_an_event_after_its_decision_fails_the_order_case() {
    fails_exactly(
        Flaw::RefusesLateEvents,
        &["is_idempotent_and_order_free::a_decision_before_its_submitted_event"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_receiver_gets_warnings_and_no_failure() {
    let receiver = Receiver::start(Flaw::Slow(Duration::from_millis(300))).await;
    let run = receiver.run(&["--answer-budget", "0.1"]);
    assert_eq!(run.status, Some(0), "{}", run.text());
    assert!(run.with("FAILED").is_empty(), "{}", run.text());
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("answer time"))
        .unwrap_or_else(|| panic!("no answer time warning: {}", run.stdout));
    // The warning is about the whole answer: no path, no stray colon.
    let said = line
        .split("answer time")
        .nth(1)
        .unwrap_or_default()
        .trim_start();
    assert!(said.starts_with("answered in "), "{line}");
    assert!(
        said.ends_with("; expected an answer within 100 ms (--answer-budget)"),
        "{line}"
    );
    let warnings = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("warnings: "))
        .and_then(|n| n.trim().parse::<usize>().ok());
    assert!(
        warnings.is_some_and(|n| n >= run.trials.len()),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_event_and_watchlist_urls_their_rules_are_ignored_with_the_flag_that_runs_them() {
    let receiver = Receiver::start(Flaw::None).await;
    let dir = std::env::temp_dir().join(format!("vc-receiver-ignored-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("junit.xml");
    let out = crate::support::bin()
        .args(["receiver", "--decision-url", &receiver.url("decision")])
        .args(["--junit", junit.to_str().unwrap()])
        .env("VERIFF_API_KEY", crate::support::API_KEY)
        .env("VERIFF_SHARED_SECRET", crate::support::SECRET)
        .output()
        .unwrap();
    let run = Run::of(out);
    assert_eq!(run.status, Some(0), "{}", run.text());
    let ignored = run.with("ignored");
    assert!(
        ignored.contains(&"answers_200::a_submitted_event"),
        "{}",
        run.text()
    );
    assert!(
        ignored.contains(&"answers_200::a_watchlist_screening_with_no_match"),
        "{}",
        run.text()
    );
    assert!(run.trials["answers_200::an_approved_decision"] == "ok");
    let xml = std::fs::read_to_string(&junit).unwrap();
    // The reason names the user's flag, not the spec's internal name.
    assert!(xml.contains("needs --event-url"), "{xml}");
    assert!(xml.contains("needs --watchlist-url"), "{xml}");
    assert!(!xml.contains("run.event_url"), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_session_ids_are_the_only_ones_delivered() {
    let receiver = Receiver::start(Flaw::None).await;
    let (a, b) = ("sess-known-1", "sess-known-2");
    let run = receiver.run(&["--session-id", a, "--session-id", b]);
    assert_eq!(run.status, Some(0), "{}", run.text());
    let seen = receiver.session_ids();
    assert!(seen.len() >= 20, "{seen:?}");
    assert!(seen.iter().all(|id| id == a || id == b), "{seen:?}");
    assert!(
        seen.iter().any(|id| id == a) && seen.iter().any(|id| id == b),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_session_ids_each_rule_uses_a_fresh_uuid() {
    let receiver = Receiver::start(Flaw::None).await;
    let run = receiver.run(&[]);
    assert_eq!(run.status, Some(0), "{}", run.text());
    let seen = receiver.session_ids();
    assert!(
        seen.iter().all(|id| uuid::Uuid::parse_str(id).is_ok()),
        "{seen:?}"
    );
    let distinct: std::collections::HashSet<&String> = seen.iter().collect();
    // Every scenario that delivers something genuine has a session of its own
    // (forgeries and bad bodies are refused before the receiver reads them).
    let genuine = run
        .with("ok")
        .into_iter()
        .filter(|t| {
            !t.starts_with("refuses_forgeries::") && !t.starts_with("survives_bad_bodies::")
        })
        .count();
    assert_eq!(distinct.len(), genuine, "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_say_what_is_missing_and_exit_with_2() {
    let out = crate::support::bin()
        .args(["receiver", "--decision-url", "http://127.0.0.1:9/decision"])
        .env("VERIFF_SHARED_SECRET", crate::support::SECRET)
        .output()
        .unwrap();
    let run = Run::of(out);
    assert_eq!(run.status, Some(2), "{}", run.text());
    assert!(
        run.stderr
            .contains("receiver needs --api-key (or VERIFF_API_KEY)"),
        "{}",
        run.stderr
    );

    let out = crate::support::bin()
        .args([
            "receiver",
            "--decision-url",
            "http://hooks.example.test/decision",
        ])
        .env("VERIFF_API_KEY", crate::support::API_KEY)
        .env("VERIFF_SHARED_SECRET", crate::support::SECRET)
        .output()
        .unwrap();
    let run = Run::of(out);
    assert_eq!(run.status, Some(2), "{}", run.text());
    assert!(
        run.stderr
            .contains("--decision-url: refusing to send credentials in clear text"),
        "{}",
        run.stderr
    );
}
