//! A receiver failure shows what was sent and what the rule says, since a
//! user of the installed binary has no copy of `specs/receiver/`.

use crate::support::{API_KEY, Flaw, Receiver, SECRET};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_shows_the_description_the_delivery_sent_and_the_steps_spec_lines() {
    let receiver = Receiver::start(Flaw::Answers204).await;
    let dir = std::env::temp_dir().join(format!("receiver-failures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("receiver.xml");
    let run = receiver.run(&["--junit", junit.to_str().unwrap()]);
    assert_eq!(run.status, Some(101), "{}", run.text());
    let name = "answers_200::an_approved_decision";
    let message = run
        .stdout
        .split(&format!("---- {name} ----\n"))
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("no failure message:\n{}", run.text()));
    for expected in [
        "  scenario: A decision webhook with status approved (9001)",
        "  sent:\n",
        "    x-auth-client: ***\n",
        "    content-type: application/json\n",
        "    x-hmac-signature: ",
        "\"person\":{\"firstName\":\"SARAH\"",
        "  note: step 1 as the spec writes it\n",
        "- name: deliver the decision",
        "^^^ unmet",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing:\n{message}"
        );
    }
    assert!(!run.text().contains(API_KEY) && !run.text().contains(SECRET));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("note: step 1 as the spec writes it"), "{xml}");
    assert!(!xml.contains(API_KEY) && !xml.contains(SECRET));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passing_rule_prints_nothing_of_what_was_sent() {
    let receiver = Receiver::start(Flaw::None).await;
    let run = receiver.run(&[]);
    assert_eq!(run.status, Some(0), "{}", run.text());
    assert!(!run.text().contains("sent:"), "{}", run.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn format_json_is_one_json_event_a_line_and_a_failure_decodes_to_its_text() {
    let receiver = Receiver::start(Flaw::RefusesDuplicates).await;
    let run = receiver.run(&["--format", "json"]);
    assert_eq!(run.status, Some(101), "{}", run.text());
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let failed = events
        .iter()
        .find(|e| e["event"] == "failed" && e["type"] == "test")
        .unwrap_or_else(|| panic!("no failed test event:\n{}", run.stdout));
    // libtest's `stdout` field is text: decoded, the message has its line
    // breaks, after libtest-mimic's `Error: "` (as a test returning Err prints).
    let text = failed["stdout"].as_str().expect("a stdout text");
    assert!(
        text.starts_with("Error: \"failure: 1 unmet expectation"),
        "{text}"
    );
    assert!(
        text.contains("\n  sent:\n    x-auth-client: ***\n"),
        "{text}"
    );
    assert!(text.ends_with("\"\n"), "{text}");
    assert_eq!(events.last().unwrap()["type"], "suite");
}
