//! Breakages of what the mock posts to the webhook URLs, made by the mock's
//! tamper hook on each outgoing webhook after it is signed.

use serde_json::Value;
use veriff_conformance::WebhookKind;
use veriff_conformance::mock::OutgoingWebhook;
use veriff_conformance::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign};

use super::Breakage;

/// What the tamper hook does for `breakage`, if it is a webhook breakage.
pub fn tamper(
    breakage: Breakage,
    secret: &str,
) -> Option<impl Fn(&mut OutgoingWebhook) + Send + Sync + 'static> {
    let webhook_breakage = matches!(
        breakage,
        Breakage::SubmittedEventNotSent
            | Breakage::StartedEventCodeChanged
            | Breakage::DecisionWebhookUnsigned
            | Breakage::DecisionWebhookSignedWithAnotherSecret
            | Breakage::DecisionWebhookWithAnotherKey
            | Breakage::DecisionWebhookDiffersFromTheEndpoint
    );
    let secret = secret.to_string();
    webhook_breakage.then_some(move |w: &mut OutgoingWebhook| apply(breakage, &secret, w))
}

fn apply(breakage: Breakage, secret: &str, w: &mut OutgoingWebhook) {
    let Ok(mut body) = serde_json::from_slice::<Value>(&w.body) else {
        return;
    };
    let action = body["action"].as_str().unwrap_or_default().to_string();
    match (breakage, w.kind()) {
        (Breakage::SubmittedEventNotSent, WebhookKind::Event) if action == "submitted" => {
            w.discard()
        }
        (Breakage::StartedEventCodeChanged, WebhookKind::Event) if action == "started" => {
            body["code"] = Value::from(7003);
            resign(w, &body, secret);
        }
        (Breakage::DecisionWebhookUnsigned, WebhookKind::Decision) => {
            w.remove_header(SIGNATURE_HEADER)
        }
        (Breakage::DecisionWebhookSignedWithAnotherSecret, WebhookKind::Decision) => {
            let forged = sign("another-shared-secret", &w.body);
            w.set_header(SIGNATURE_HEADER, &forged);
        }
        (Breakage::DecisionWebhookWithAnotherKey, WebhookKind::Decision) => {
            w.set_header(API_KEY_HEADER, "00000000-0000-4000-8000-000000000000")
        }
        (Breakage::DecisionWebhookDiffersFromTheEndpoint, WebhookKind::Decision) => {
            body["verification"]["onlyInTheWebhook"] = Value::from(true);
            resign(w, &body, secret);
        }
        _ => {}
    }
}

/// Replaces the body and signs the new bytes with the mock's secret.
fn resign(w: &mut OutgoingWebhook, body: &Value, secret: &str) {
    w.body = serde_json::to_vec(body).expect("a JSON value serialises");
    let signature = sign(secret, &w.body);
    w.set_header(SIGNATURE_HEADER, &signature);
}
