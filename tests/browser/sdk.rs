//! `@veriff/js-sdk` 2.0.0 creating sessions from a page on another origin.

use std::sync::Arc;

use crate::support::Stack;

pub async fn the_js_sdk_creates_a_session_from_another_origin(stack: Arc<Stack>) {
    let url = stack.sign_up_url(&stack.api_key(), None, None);
    stack.sign_up(&url).await;
    let id = stack.text_of("session").await;
    let person = stack.api_get(&id, "person").await;
    assert_eq!(person["person"]["firstName"], "Ann");
    assert_eq!(person["person"]["lastName"], "Lee");
    let decision = stack.api_get(&id, "decision").await;
    assert_eq!(decision["verification"], serde_json::Value::Null);
    assert_eq!(
        stack
            .script("return document.getElementById('error').textContent;")
            .await,
        ""
    );
}

pub async fn a_wrong_api_key_reaches_on_session_as_401(stack: Arc<Stack>) {
    let url = stack.sign_up_url("not-the-api-key", None, None);
    stack.sign_up(&url).await;
    assert_eq!(stack.text_of("error").await, "401");
    assert_eq!(
        stack
            .script("return document.getElementById('session').textContent;")
            .await,
        ""
    );
}
