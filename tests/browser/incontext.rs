//! `@veriff/incontext-sdk` 2.5.0 showing the mock's flow page in its frame.

use std::sync::Arc;

use serde_json::Value;
use veriff_conformance::WebhookKind;
use veriff_conformance::signing::verify;

use crate::support::Stack;

pub async fn approve_in_the_frame_reports_started_submitted_finished_closes_it_and_decides(
    stack: Arc<Stack>,
) {
    let url = stack.sign_up_url(&stack.api_key(), Some("incontext"), None);
    stack.sign_up(&url).await;
    let id = stack.text_of("session").await;
    stack.events_become(&["STARTED"]).await;
    stack.enter_flow_frame().await;
    assert_eq!(stack.text_of("session-id").await, id);
    stack.press("Approve").await;
    stack
        .browser
        .enter_parent_frame()
        .await
        .expect("back to the page");
    stack
        .events_become(&["STARTED", "SUBMITTED", "FINISHED"])
        .await;
    assert!(!stack.has_frame().await, "the SDK closed the frame");

    let webhooks = stack.webhooks_as_made(&id, 3).await;
    let seen: Vec<(WebhookKind, Value)> = webhooks
        .iter()
        .map(|webhook| {
            let body: Value = serde_json::from_slice(&webhook.body).expect("JSON");
            let code = match webhook.kind {
                WebhookKind::Event => body["code"].clone(),
                _ => body["verification"]["code"].clone(),
            };
            (webhook.kind, code)
        })
        .collect();
    assert_eq!(
        seen,
        [
            (WebhookKind::Event, 7001.into()),
            (WebhookKind::Event, 7002.into()),
            (WebhookKind::Decision, 9001.into()),
        ]
    );
    let secret = &stack.mock.config().shared_secret;
    for webhook in &webhooks {
        assert_eq!(webhook.session.as_deref(), Some(id.as_str()));
        let signature = webhook
            .headers
            .iter()
            .find(|(name, _)| name == "x-hmac-signature")
            .map(|(_, value)| value.as_str())
            .expect("a signature");
        assert!(
            verify(secret, &webhook.body, signature),
            "signed with the shared secret"
        );
    }
    let decision = stack.api_get(&id, "decision").await;
    assert_eq!(decision["verification"]["code"], 9001);
    let webhook: Value = serde_json::from_slice(&webhooks[2].body).expect("JSON");
    assert_eq!(
        webhook, decision,
        "the decision webhook and GET /decision agree"
    );
}

pub async fn cancel_in_the_frame_reports_canceled_and_closes_it(stack: Arc<Stack>) {
    let url = stack.sign_up_url(&stack.api_key(), Some("incontext"), None);
    stack.sign_up(&url).await;
    let id = stack.text_of("session").await;
    stack.events_become(&["STARTED"]).await;
    stack.enter_flow_frame().await;
    stack.press("Cancel").await;
    stack
        .browser
        .enter_parent_frame()
        .await
        .expect("back to the page");
    stack.events_become(&["STARTED", "CANCELED"]).await;
    assert!(!stack.has_frame().await, "the SDK closed the frame");
    let decision = stack.api_get(&id, "decision").await;
    assert_eq!(
        decision["verification"],
        Value::Null,
        "a cancel decides nothing"
    );
}
