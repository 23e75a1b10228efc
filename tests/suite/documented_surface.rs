//! The whole suite against a server that serves only Veriff's documented
//! surface: the embedded mock behind a filter that answers 404 to every
//! request the OpenAPI document does not list (the session page and the
//! `/mock` controls among them). Every scenario that may run against Veriff
//! passes there; the others are ignored for their `requires`, nothing else.

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use regex::Regex;
use veriff_conformance::mock::MockServer;
use veriff_conformance::{
    Executor, Inbox, Masker, OpenApiFormat, Outcome, Target, WebhookReceiver, ignores,
    load_embedded, message, openapi_document,
};

use crate::support::{posting_webhooks_to, target};

/// `(method, path pattern)` for every operation of the OpenAPI document.
fn documented_operations() -> Vec<(String, Regex)> {
    let text = openapi_document(OpenApiFormat::Json).expect("the document");
    let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut out = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        let pattern = Regex::new(&format!(
            "^{}$",
            regex::escape(path).replace(r"\{id\}", "[^/]+")
        ))
        .expect("a pattern");
        for method in item.as_object().expect("path item").keys() {
            out.push((method.to_ascii_uppercase(), pattern.clone()));
        }
    }
    assert!(out.len() >= 10, "{out:?}");
    out
}

/// The mock, with a webhook receiver, behind the filter.
async fn documented_surface_only() -> (MockServer, WebhookReceiver) {
    let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
        .await
        .expect("receiver");
    let operations = documented_operations();
    let filter = middleware::from_fn(move |request: Request, next: Next| {
        let documented = operations.iter().any(|(method, path)| {
            request.method().as_str() == method && path.is_match(request.uri().path())
        });
        async move {
            if documented {
                next.run(request).await
            } else {
                not_documented()
            }
        }
    });
    let mock = MockServer::builder()
        .config(posting_webhooks_to(&receiver))
        .layer(filter)
        .start()
        .await
        .expect("mock");
    (mock, receiver)
}

fn not_documented() -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        [("content-type", "application/json")],
        r#"{"status":"fail","code":"1101","message":"Resource not found"}"#,
    )
        .into_response()
}

#[tokio::test]
async fn the_filter_refuses_the_mock_only_paths_and_serves_the_documented_ones() {
    let (mock, _receiver) = documented_surface_only().await;
    let client = reqwest::Client::new();
    for path in ["/v/some-token", "/mock/webhooks"] {
        let response = client
            .get(format!("{}{path}", mock.base_url()))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 404, "{path}");
    }
    let created = client
        .post(format!("{}/v1/sessions", mock.base_url()))
        .header("x-auth-client", &mock.config().api_key)
        .header("content-type", "application/json")
        .body(r#"{"verification":{}}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(created.status(), 201);
}

#[tokio::test]
async fn the_whole_suite_passes_against_veriffs_documented_surface_alone() {
    let (mock, receiver) = documented_surface_only().await;
    let target = Target {
        features: vec!["delete".into(), "watchlist".into()],
        ..target(&mock.base_url(), mock.config(), false)
    };
    let masker = Masker::new([&target.api_key, &target.shared_secret]);
    let runner = Executor::new(target.clone())
        .expect("runner")
        .awaiting_webhooks(receiver.inbox().clone(), receiver.url());
    let loaded = load_embedded();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let mut ran = 0;
    let mut not_passing = Vec::new();
    for scenario in &loaded.scenarios {
        if let Some(why) = ignores(&target, true, scenario) {
            assert!(
                scenario.requires_mock() && why.contains("requires: [mock]"),
                "{} is ignored for another reason than its requires: {why}",
                scenario.trial_name
            );
            continue;
        }
        ran += 1;
        let result = runner.run(scenario).await;
        let text = match &result.outcome {
            Outcome::Passed => continue,
            Outcome::Ignored(why) => format!("ignored: {why}"),
            Outcome::Failed(f) => message::failure(&scenario.file, f, &masker),
            Outcome::Errored(e) => message::error(&scenario.file, e, &masker),
        };
        not_passing.push(format!("{}: {text}", scenario.trial_name));
    }
    assert!(not_passing.is_empty(), "{}", not_passing.join("\n\n"));
    assert!(
        ran > loaded.scenarios.len() / 2,
        "{ran} of {} ran",
        loaded.scenarios.len()
    );
    assert!(
        loaded.scenarios.iter().any(|s| s.trial_name
            == "webhooks::a_submit_sends_a_submitted_event"
            && !s.requires_mock()),
        "the submitted event runs against any target"
    );
}
