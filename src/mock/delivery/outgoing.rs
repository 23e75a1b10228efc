//! [`OutgoingWebhook`]: one webhook as it is about to be sent, for the hook
//! that tests use to tamper with what the mock sends.

use std::fmt;

use crate::signing::API_KEY_HEADER;

pub use crate::inbox::kind::WebhookKind;

/// One webhook after signing and before sending, as the hook given to
/// [`MockServerBuilder::tamper_webhooks`](super::super::MockServerBuilder::tamper_webhooks)
/// sees it. The hook may change the headers and the body (the signature is
/// not recomputed), or [`discard`](Self::discard) the webhook; what it leaves
/// is what every attempt of that delivery sends. Its URL cannot change: the
/// mock only posts to the URLs it was configured with.
///
/// `Debug` hides the value of `x-auth-client` (the API key).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use veriff_conformance::WebhookKind;
/// use veriff_conformance::mock::{MockConfig, MockServer, OutgoingWebhook, WebhookConfig};
///
/// let config = MockConfig {
///     webhooks: WebhookConfig { event: Some("http://127.0.0.1:9/events".into()), ..WebhookConfig::default() },
///     ..MockConfig::generated()
/// };
/// let server = MockServer::builder()
///     .config(config)
///     .tamper_webhooks(|webhook: &mut OutgoingWebhook| {
///         assert_eq!(webhook.kind(), WebhookKind::Event);
///         assert_eq!(webhook.url(), "http://127.0.0.1:9/events");
///         assert!(webhook.header("X-HMAC-SIGNATURE").is_some());
///         webhook.set_header("x-hmac-signature", "00");
///         webhook.body.extend_from_slice(b" ");
///         webhook.discard();
///         assert!(webhook.is_discarded());
///     })
///     .start()
///     .await?;
/// # server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct OutgoingWebhook {
    kind: WebhookKind,
    url: String,
    /// The request headers, in order: `content-type`, `x-auth-client`,
    /// `x-hmac-signature`. Names are matched without regard to case when
    /// sent; a pair that is not a valid HTTP header fails each attempt.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes (compact JSON, as signed).
    pub body: Vec<u8>,
    discarded: bool,
}

impl OutgoingWebhook {
    pub(in crate::mock) fn new(
        kind: WebhookKind,
        url: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Self {
        Self {
            kind,
            url,
            headers,
            body,
            discarded: false,
        }
    }

    /// Which webhook this is.
    pub fn kind(&self) -> WebhookKind {
        self.kind
    }

    /// The configured URL it goes to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The value of the first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(given, _)| given.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Replaces every header named `name` (any case) with one `name: value`,
    /// at the place of the first, or at the end.
    pub fn set_header(&mut self, name: &str, value: &str) {
        let first = self
            .headers
            .iter()
            .position(|(given, _)| given.eq_ignore_ascii_case(name));
        self.remove_header(name);
        let pair = (name.to_owned(), value.to_owned());
        match first {
            Some(at) => self.headers.insert(at, pair),
            None => self.headers.push(pair),
        }
    }

    /// Removes every header named `name` (any case).
    pub fn remove_header(&mut self, name: &str) {
        self.headers
            .retain(|(given, _)| !given.eq_ignore_ascii_case(name));
    }

    /// Drops this webhook: nothing is sent, and the delivery log shows it as
    /// `dropped`.
    pub fn discard(&mut self) {
        self.discarded = true;
    }

    /// Whether [`discard`](Self::discard) was called.
    pub fn is_discarded(&self) -> bool {
        self.discarded
    }

    pub(in crate::mock) fn into_parts(self) -> (Vec<(String, String)>, Vec<u8>, bool) {
        (self.headers, self.body, self.discarded)
    }
}

impl fmt::Debug for OutgoingWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if name.eq_ignore_ascii_case(API_KEY_HEADER) {
                    "<redacted>"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("OutgoingWebhook")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("discarded", &self.discarded)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OutgoingWebhook {
        OutgoingWebhook::new(
            WebhookKind::Event,
            "http://127.0.0.1:9/".into(),
            vec![
                ("content-type".into(), "application/json".into()),
                ("x-auth-client".into(), "the-api-key".into()),
                ("x-hmac-signature".into(), "ab".into()),
            ],
            b"{}".to_vec(),
        )
    }

    #[test]
    fn set_header_replaces_in_place_regardless_of_case() {
        let mut webhook = sample();
        webhook.set_header("X-HMAC-Signature", "cd");
        assert_eq!(webhook.headers[2], ("X-HMAC-Signature".into(), "cd".into()));
        assert_eq!(webhook.headers.len(), 3);
        webhook.set_header("x-extra", "1");
        assert_eq!(webhook.header("X-EXTRA"), Some("1"));
        webhook.remove_header("content-type");
        assert_eq!(webhook.header("content-type"), None);
    }

    #[test]
    fn debug_output_hides_the_api_key() {
        let shown = format!("{:?}", sample());
        assert!(!shown.contains("the-api-key"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
