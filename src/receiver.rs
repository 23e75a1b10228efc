//! Webhook receivers: what the receiver suite (`veriff-conformance
//! receiver`) is given to run, and the check of one captured delivery
//! (`veriff-conformance verify-webhook`). The suite itself is YAML, in
//! `specs/receiver/`; docs/receiver.md lists its rules.

pub mod verify;

use crate::exec::run_values::{Given, RunValue};

/// Where the receiver suite sends its deliveries, and the session ids it puts in them.
///
/// ```
/// use veriff_conformance::ReceiverUrls;
/// let urls = ReceiverUrls {
///     decision_url: "https://hooks.example.test/decision".into(),
///     session_ids: vec!["known-session".into()],
///     ..ReceiverUrls::default()
/// };
/// let session = urls.run_values().into_iter().find(|v| v.name == "session_id").unwrap();
/// assert_eq!(session.value_for(3).as_deref(), Some("known-session"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReceiverUrls {
    /// The integration's webhook decisions URL.
    pub decision_url: String,
    /// The webhook events URL, if the receiver has one; event rules are ignored without it.
    pub event_url: Option<String>,
    /// The webhook watchlist screening URL, if any; watchlist rules are ignored without it.
    pub watchlist_url: Option<String>,
    /// Session ids the receiver knows, used in turn; a fresh UUID per scenario when empty.
    pub session_ids: Vec<String>,
}

impl ReceiverUrls {
    /// The run values the receiver suite reads: `run.decision_url`,
    /// `run.event_url`, `run.watchlist_url` and `run.session_id`.
    ///
    /// ```
    /// use veriff_conformance::ReceiverUrls;
    /// let values = ReceiverUrls {
    ///     decision_url: "https://hooks.example.test/veriff/decision".into(),
    ///     ..ReceiverUrls::default()
    /// }
    /// .run_values();
    /// let given: Vec<(&str, bool)> = values.iter().map(|v| (v.name.as_str(), v.is_given())).collect();
    /// assert_eq!(
    ///     given,
    ///     [("decision_url", true), ("event_url", false), ("watchlist_url", false), ("session_id", true)],
    /// );
    /// ```
    pub fn run_values(&self) -> Vec<RunValue> {
        let url = |url: &Option<String>| match url {
            Some(url) => Given::Text(url.clone()),
            None => Given::Missing,
        };
        vec![
            RunValue::new(
                "decision_url",
                "--decision-url",
                Given::Text(self.decision_url.clone()),
            ),
            RunValue::new("event_url", "--event-url", url(&self.event_url)),
            RunValue::new("watchlist_url", "--watchlist-url", url(&self.watchlist_url)),
            RunValue::new(
                "session_id",
                "--session-id",
                if self.session_ids.is_empty() {
                    Given::FreshUuid
                } else {
                    Given::InTurn(self.session_ids.clone())
                },
            ),
        ]
    }
}
