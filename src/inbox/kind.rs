//! A webhook's type and session, told apart by the shape of its payload:
//! Veriff posts each type to its own URL and sends no header naming the
//! type (docs/veriff-api.md, section 5), so a receiver that takes every
//! type on one address reads the body.

use serde_json::Value;

/// The type of a webhook, as its payload's shape tells it.
///
/// ```
/// use serde_json::json;
/// use veriff_conformance::WebhookKind;
///
/// let decision = json!({"status": "success", "verification": {"id": "s1", "status": "approved"}});
/// assert_eq!(WebhookKind::of(&decision), (WebhookKind::Decision, Some("s1".to_string())));
/// let event = json!({"id": "s2", "attemptId": "a", "action": "started", "code": 7001});
/// assert_eq!(WebhookKind::of(&event), (WebhookKind::Event, Some("s2".to_string())));
/// let watchlist = json!({"checkType": "initial_result", "sessionId": "s3", "matchStatus": "no_match"});
/// assert_eq!(WebhookKind::of(&watchlist), (WebhookKind::Watchlist, Some("s3".to_string())));
/// assert_eq!(WebhookKind::of(&json!([1])), (WebhookKind::Unknown, None));
/// assert_eq!(WebhookKind::parse("event"), Some(WebhookKind::Event));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookKind {
    /// A decision webhook: the body has `verification` (the same body as
    /// `GET /v1/sessions/{id}/decision`); its session is `verification.id`.
    Decision,
    /// An event webhook (`started`, `submitted`): the body has `action` and
    /// `id`; its session is `id`.
    Event,
    /// A watchlist-screening webhook: the body has `matchStatus`, or
    /// `checkType` with `sessionId`; its session is `sessionId`.
    Watchlist,
    /// Any other body (not JSON, or another shape); its session is the first
    /// of `verification.id`, `id` and `sessionId` that is a string, if any.
    Unknown,
}

impl WebhookKind {
    /// The types a step can await, as written in specs.
    pub const AWAITABLE: &'static [WebhookKind] = &[
        WebhookKind::Decision,
        WebhookKind::Event,
        WebhookKind::Watchlist,
    ];

    /// The name as written in specs and reports.
    pub fn name(self) -> &'static str {
        match self {
            WebhookKind::Decision => "decision",
            WebhookKind::Event => "event",
            WebhookKind::Watchlist => "watchlist",
            WebhookKind::Unknown => "unknown",
        }
    }

    /// An awaitable type by its name (`unknown` is not one).
    pub fn parse(name: &str) -> Option<WebhookKind> {
        Self::AWAITABLE.iter().copied().find(|k| k.name() == name)
    }

    /// The type and the session id of a webhook whose body is `body`.
    pub fn of(body: &Value) -> (WebhookKind, Option<String>) {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let has = |key: &str| body.get(key).is_some();
        if body.get("verification").is_some_and(Value::is_object) {
            return (
                WebhookKind::Decision,
                text(body.pointer("/verification/id")),
            );
        }
        if has("action") && has("id") {
            return (WebhookKind::Event, text(body.get("id")));
        }
        if has("matchStatus") || (has("checkType") && has("sessionId")) {
            return (WebhookKind::Watchlist, text(body.get("sessionId")));
        }
        let session = text(body.pointer("/verification/id"))
            .or_else(|| text(body.get("id")))
            .or_else(|| text(body.get("sessionId")));
        (WebhookKind::Unknown, session)
    }
}

impl std::fmt::Display for WebhookKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_decision_with_a_null_verification_is_not_told_apart_as_a_decision() {
        let body = json!({"status": "success", "verification": null, "id": "s"});
        assert_eq!(
            WebhookKind::of(&body),
            (WebhookKind::Unknown, Some("s".into()))
        );
    }

    #[test]
    fn a_watchlist_webhook_is_told_apart_by_check_type_and_session_id_alone() {
        let body = json!({"checkType": "updated_result", "sessionId": "s"});
        assert_eq!(
            WebhookKind::of(&body),
            (WebhookKind::Watchlist, Some("s".into()))
        );
        let body = json!({"checkType": "updated_result"});
        assert_eq!(WebhookKind::of(&body), (WebhookKind::Unknown, None));
    }

    #[test]
    fn an_event_needs_both_action_and_id() {
        assert_eq!(
            WebhookKind::of(&json!({"action": "started"})).0,
            WebhookKind::Unknown
        );
        assert_eq!(
            WebhookKind::of(&json!({"id": 5, "action": "x"})),
            (WebhookKind::Event, None)
        );
    }

    #[test]
    fn unknown_is_not_a_type_a_step_can_await() {
        assert_eq!(WebhookKind::parse("unknown"), None);
        for kind in WebhookKind::AWAITABLE {
            assert_eq!(WebhookKind::parse(kind.name()), Some(*kind));
        }
    }
}
