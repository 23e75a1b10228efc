//! A redirect integration: the page sends the end user to the session url,
//! and the flow page sends them back to the callback.

use std::sync::Arc;

use veriff_conformance::WebhookKind;

use crate::support::Stack;

pub async fn decline_after_a_redirect_lands_on_the_callback_and_decides(stack: Arc<Stack>) {
    let callback = format!("{}/done", stack.front_end);
    let url = stack.sign_up_url(&stack.api_key(), Some("redirect"), Some(&callback));
    stack.sign_up(&url).await;
    let flow = format!("{}/v/", stack.mock.base_url());
    stack
        .until("the flow page", || async {
            let now = stack.browser.current_url().await.ok()?;
            now.as_str().starts_with(&flow).then_some(())
        })
        .await;
    let id = stack.text_of("session-id").await;
    stack.press("Decline").await;
    stack
        .until("the callback", || async {
            let now = stack.browser.current_url().await.ok()?;
            (now.as_str() == callback).then_some(())
        })
        .await;
    assert_eq!(
        stack
            .script("return document.querySelector('h1').textContent;")
            .await,
        "Back at the sign-up page"
    );
    let decision = stack.api_get(&id, "decision").await;
    assert_eq!(decision["verification"]["code"], 9102);
    assert_eq!(decision["verification"]["status"], "declined");
    let webhooks = stack.webhooks(3).await;
    assert!(
        webhooks
            .iter()
            .any(|w| w.kind == WebhookKind::Decision && w.session.as_deref() == Some(id.as_str())),
        "the decision webhook arrived"
    );
}
