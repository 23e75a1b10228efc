//! Loading steps that await a webhook: good ones load into the model, bad
//! ones get an error with file:line:col, a caret and a hint (snapshots in
//! `snapshots/`).

use std::time::Duration;

use veriff_conformance::{SignatureExpect, WebhookKind};

use crate::loading::{assert_bad, load, rendered};

#[test]
fn a_webhook_step_loads_with_its_type_session_time_limit_expectations_and_captures() {
    let text = r#"
scenarios:
  - name: the decision arrives
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        expect: { status: 201 }
        capture: { id: verification.id }
      - name: approved
        webhook: { type: decision, session: "${id}", within: 10s }
        expect:
          headers: { content-type: { matches: "^application/json" } }
          body: { verification: { id: "${id}", status: approved } }
          schema: schemas/ok.json
        capture: { decision_id: verification.id }
      - name: its event
        webhook: { type: event, session: "${decision_id}" }
"#;
    let (scenarios, errors) = load("webhook_good", text);
    assert!(errors.is_empty(), "{}", rendered(&errors));
    let s = &scenarios[0];
    assert!(s.awaits_webhooks());
    let step = &s.steps[1];
    let w = step.webhook.as_ref().expect("a webhook step");
    assert_eq!(w.kind.value, WebhookKind::Decision);
    assert_eq!(&s.file.text[w.session.at.clone()], "\"${id}\"");
    assert_eq!(w.within.value, Duration::from_secs(10));
    assert_eq!(&s.file.text[w.at.clone()], "webhook");
    // It stands in reports and baselines as `WEBHOOK decision`.
    assert_eq!(step.method.as_str(), "WEBHOOK");
    assert_eq!(step.path.value.as_literal(), Some("decision"));
    // The signature is always required, pointing at the step when not written.
    assert_eq!(step.expect.signature.value, SignatureExpect::Required);
    assert_eq!(&s.file.text[step.expect.signature.at.clone()], "approved");
    assert!(step.expect.schema.is_some() && step.expect.body.is_some());
    assert_eq!(step.captures[0].name, "decision_id");
    // The default time limit is 30 s.
    assert_eq!(
        s.steps[2].webhook.as_ref().unwrap().within.value,
        Duration::from_secs(30)
    );
    assert!(!load("plain", "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n").0[0].awaits_webhooks());
}

#[test]
fn a_status_expectation_on_a_webhook_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: decision, session: s-1 }\n        expect: { status: 200 }\n";
    assert_bad("webhook_status", text, 6, 27);
}

#[test]
fn an_unknown_webhook_type_lists_the_types() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: unknown, session: s-1 }\n";
    assert_bad("webhook_unknown_type", text, 5, 26);
}

#[test]
fn request_keys_on_a_webhook_step_are_each_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        webhook: { type: event, session: s-1 }\n        retry: { until: { body: {} } }\n";
    assert_bad("webhook_request_keys", text, 5, 17);
    let (_, errors) = load("webhook_request_keys", text);
    assert_eq!(errors.len(), 3, "{}", rendered(&errors));
}

#[test]
fn an_ignored_signature_on_a_webhook_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: event, session: s-1 }\n        expect: { signature: ignore }\n";
    assert_bad("webhook_signature_ignored", text, 6, 30);
}

#[test]
fn a_time_limit_that_is_not_a_duration_or_out_of_range_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: event, session: s-1, within: soon }\n";
    assert_bad("webhook_within", text, 5, 55);
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: event, session: s-1, within: 2h }\n";
    let (_, errors) = load("webhook_within_long", text);
    assert!(
        rendered(&errors).contains("not a duration"),
        "{}",
        rendered(&errors)
    );
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: event, session: s-1, within: 61m }\n";
    let (_, errors) = load("webhook_within_long", text);
    assert!(
        rendered(&errors).contains("out of range"),
        "{}",
        rendered(&errors)
    );
}

#[test]
fn an_undefined_variable_in_the_session_is_located() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: event, session: \"${id}\" }\n";
    assert_bad("webhook_undefined_session", text, 5, 43);
}

#[test]
fn a_step_with_neither_a_request_nor_a_webhook_says_what_it_needs() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        path: /x\n";
    assert_bad("step_without_method", text, 4, 15);
}

#[test]
fn an_unknown_key_under_webhook_is_named() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        webhook: { type: event, sesion: s-1 }\n";
    let (_, errors) = load("webhook_misspelt", text);
    let text = rendered(&errors);
    assert!(text.contains("sesion"), "{text}");
}
