//! Running the mock: [`serve`] on a listener, or a [`MockServer`] on a
//! background task.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::builder::MockServerBuilder;
use super::config::MockConfig;
use super::connections::{limits_of, serve_app};
use super::delivery::Deliveries;
use super::routes::router;

/// How long [`MockServer::shutdown`] waits for in-flight requests (for example
/// delayed ones) before it aborts the server task.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// `http://` URL for a bound address; an unspecified address (`0.0.0.0`,
/// `::`) is reported as the matching loopback address, which is reachable.
pub(super) fn base_url_for(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

/// Serves the mock on `listener` until `shutdown` completes, then finishes the
/// requests in flight and returns.
///
/// Session `host`s default to the listener's address (an unspecified address
/// such as `0.0.0.0` is reported as loopback); set [`MockConfig::host`] when
/// clients reach the mock under another name. A webhook URL that is not
/// `http(s)://` is an [`io::ErrorKind::InvalidInput`] error, before anything
/// is served. Webhook deliveries end when it returns.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use veriff_conformance::mock::{MockConfig, serve};
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let server = tokio::spawn(serve(listener, MockConfig::generated(), async move {
///     let _ = stopped.await;
/// }));
/// // ... send requests ...
/// let _ = stop.send(());
/// server.await.expect("server task")?;
/// # Ok(())
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    config: MockConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    config
        .webhooks
        .check()
        .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
    let base_url = base_url_for(listener.local_addr()?);
    let limits = limits_of(&config);
    serve_app(listener, router(config, base_url), limits, shutdown).await
}

/// A mock running on a background tokio task. Dropping it stops the server
/// (gracefully, in the background); [`MockServer::shutdown`] stops it and waits.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use veriff_conformance::mock::{MockConfig, MockServer};
/// use veriff_conformance::signing::{sign, verify};
///
/// let server = MockServer::start(MockConfig::generated()).await?;
/// let config = server.config();
/// let client = reqwest::Client::new();
///
/// // Create a session (API key only).
/// let created = client
///     .post(format!("{}/v1/sessions", server.base_url()))
///     .header("x-auth-client", &config.api_key)
///     .header("content-type", "application/json")
///     .body(r#"{"verification":{"vendorData":"user-1"}}"#)
///     .send()
///     .await?;
/// assert_eq!(created.status(), 201);
/// let created: serde_json::Value = created.json().await?;
/// let id = created["verification"]["id"].as_str().unwrap_or_default();
///
/// // Submit it (signed over the exact body bytes).
/// let body = br#"{"verification":{"status":"submitted"}}"#;
/// let submitted = client
///     .patch(format!("{}/v1/sessions/{id}", server.base_url()))
///     .header("x-auth-client", &config.api_key)
///     .header("x-hmac-signature", sign(&config.shared_secret, body))
///     .header("content-type", "application/json")
///     .body(&body[..])
///     .send()
///     .await?;
/// assert_eq!(submitted.status(), 200);
/// let signature = submitted.headers()["x-hmac-signature"].to_str()?.to_owned();
/// let bytes = submitted.bytes().await?;
/// assert!(verify(&config.shared_secret, &bytes, &signature));
///
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct MockServer {
    pub(super) base_url: String,
    pub(super) config: MockConfig,
    pub(super) stop: Option<oneshot::Sender<()>>,
    pub(super) task: Option<JoinHandle<io::Result<()>>>,
    pub(super) deliveries: Arc<Deliveries>,
}

impl MockServer {
    /// A [`MockServerBuilder`], to choose the listener or address, the config,
    /// and layers around the mock's router before starting it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use veriff_conformance::mock::{MockConfig, MockServer};
    ///
    /// let server = MockServer::builder().config(MockConfig::generated()).start().await?;
    /// assert!(server.base_url().starts_with("http://127.0.0.1:"));
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::new()
    }

    /// Starts a mock on `127.0.0.1` on a free port: `MockServer::builder().config(config).start()`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use veriff_conformance::mock::{MockConfig, MockServer};
    ///
    /// let server = MockServer::start(MockConfig::generated()).await?;
    /// assert!(server.base_url().starts_with("http://127.0.0.1:"));
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(config: MockConfig) -> io::Result<MockServer> {
        Self::builder().config(config).start().await
    }

    /// Starts a mock on `addr` (port 0 picks a free port):
    /// `MockServer::builder().address(addr).config(config).start()`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use veriff_conformance::mock::{MockConfig, MockServer};
    ///
    /// let server = MockServer::start_on("127.0.0.1:0".parse().expect("address"), MockConfig::generated()).await?;
    /// assert!(!server.base_url().ends_with('/'));
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start_on(addr: SocketAddr, config: MockConfig) -> io::Result<MockServer> {
        Self::builder().address(addr).config(config).start().await
    }

    /// The mock's base URL, like `http://127.0.0.1:41234`, without a trailing `/`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # use veriff_conformance::mock::{MockConfig, MockServer};
    /// let server = MockServer::start(MockConfig::generated()).await?;
    /// let create_url = format!("{}/v1/sessions", server.base_url());
    /// # assert!(create_url.contains("127.0.0.1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The configuration the mock runs with (its API key and shared secret).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # use veriff_conformance::mock::{MockConfig, MockServer};
    /// let config = MockConfig::generated();
    /// let server = MockServer::start(config.clone()).await?;
    /// assert_eq!(server.config(), &config);
    /// # Ok(())
    /// # }
    /// ```
    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    /// Stops accepting connections, lets requests in flight finish (for at
    /// most 10 seconds, then aborts them) and waits for the server task;
    /// then stops every webhook delivery (pending ones are not retried) and
    /// waits for their tasks to end.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// # use veriff_conformance::mock::{MockConfig, MockServer};
    /// let server = MockServer::start(MockConfig::generated()).await?;
    /// let url = server.base_url();
    /// server.shutdown().await;
    /// assert!(reqwest::get(url).await.is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
        self.deliveries.shutdown().await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_are_reported_as_loopback() {
        assert_eq!(
            base_url_for("0.0.0.0:8080".parse().expect("addr")),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url_for("[::]:8080".parse().expect("addr")),
            "http://[::1]:8080"
        );
        assert_eq!(
            base_url_for("10.0.0.1:1".parse().expect("addr")),
            "http://10.0.0.1:1"
        );
    }
}
