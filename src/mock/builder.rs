//! [`MockServerBuilder`]: where the mock listens, its config, and layers added
//! from outside.

use std::convert::Infallible;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::Route;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::{Layer, Service};

use super::app::App;
use super::config::MockConfig;
use super::connections::{limits_of, serve_app};
use super::delivery::{OutgoingWebhook, Tamper};
use super::routes::app_router;
use super::server::{MockServer, base_url_for};

/// A function that wraps the mock's router in one more layer.
type AddLayer = Box<dyn FnOnce(Router) -> Router + Send>;

/// Where a builder's server listens.
enum Bind {
    Address(SocketAddr),
    Listener(TcpListener),
}

/// Builds a [`MockServer`]: where it listens, its [`MockConfig`], and tower
/// layers around its router. Made by [`MockServer::builder`]; started by
/// [`start`](Self::start).
///
/// By default the mock listens on `127.0.0.1` on a free port, with
/// [`MockConfig::generated`] and no extra layer.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use veriff_conformance::mock::{MockConfig, MockServer};
///
/// let config = MockConfig { max_sessions: 10, ..MockConfig::generated() };
/// let server = MockServer::builder()
///     .address("127.0.0.1:0".parse().expect("address"))
///     .config(config.clone())
///     .start()
///     .await?;
/// assert_eq!(server.config(), &config);
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[must_use = "a builder does nothing until `start` is called"]
pub struct MockServerBuilder {
    bind: Bind,
    config: Option<MockConfig>,
    layers: Vec<AddLayer>,
    tamper: Option<Tamper>,
}

impl MockServerBuilder {
    pub(super) fn new() -> Self {
        Self {
            bind: Bind::Address(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            config: None,
            layers: Vec::new(),
            tamper: None,
        }
    }

    /// Listens on `addr` (port 0 picks a free port). Replaces an earlier
    /// [`listener`](Self::listener).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use veriff_conformance::mock::MockServer;
    ///
    /// let server = MockServer::builder()
    ///     .address("127.0.0.1:0".parse().expect("address"))
    ///     .start()
    ///     .await?;
    /// assert!(server.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn address(mut self, addr: SocketAddr) -> Self {
        self.bind = Bind::Address(addr);
        self
    }

    /// Serves on a listener you bound (a std listener converts with
    /// [`TcpListener::from_std`], once set non-blocking). Session `host`s
    /// default to its address; set [`MockConfig::host`] when clients reach it
    /// under another name. Replaces an earlier [`address`](Self::address).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use veriff_conformance::mock::MockServer;
    ///
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let addr = listener.local_addr()?;
    /// let server = MockServer::builder().listener(listener).start().await?;
    /// assert_eq!(server.base_url(), format!("http://{addr}"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.bind = Bind::Listener(listener);
        self
    }

    /// The mock's config (credentials, host, limits). Without it, the mock
    /// runs with [`MockConfig::generated`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use veriff_conformance::mock::{MockConfig, MockServer};
    ///
    /// let config = MockConfig { host: Some("https://alchemy.example".into()), ..MockConfig::generated() };
    /// let server = MockServer::builder().config(config).start().await?;
    /// assert_eq!(server.config().host.as_deref(), Some("https://alchemy.example"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn config(mut self, config: MockConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Wraps the mock's router in a tower layer (an axum middleware, a
    /// `tower::ServiceBuilder`, ...), to add or change behaviour from outside:
    /// it sees every request before the mock does and every response after.
    /// Each call adds a layer around the ones before, like axum's
    /// [`Router::layer`]. Requests that hyper refuses before they become
    /// requests (see the [module docs](super)) never reach a layer.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use axum::extract::Request;
    /// use axum::middleware::{self, Next};
    /// use veriff_conformance::mock::MockServer;
    ///
    /// // Every response gets an extra header.
    /// let tag = middleware::from_fn(|request: Request, next: Next| async move {
    ///     let mut response = next.run(request).await;
    ///     response.headers_mut().insert("x-served-by", "a-layer".parse().expect("value"));
    ///     response
    /// });
    /// let server = MockServer::builder().layer(tag).start().await?;
    /// let response = reqwest::get(format!("{}/no/such/route", server.base_url())).await?;
    /// assert_eq!(response.status(), 404);
    /// assert_eq!(response.headers()["x-served-by"], "a-layer");
    /// # Ok(())
    /// # }
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.layers
            .push(Box::new(move |app: Router| app.layer(layer)));
        self
    }

    /// Runs `tamper` on every outgoing webhook after it is signed and before
    /// it is sent (see [`OutgoingWebhook`]), so that a test can send a broken
    /// webhook on purpose: a wrong signature, a changed body, a missing
    /// header, or none at all. It runs once per delivery (and again for a
    /// resend), while the mock records the change that caused the webhook:
    /// keep it quick, and do not call the mock from it. A later call
    /// replaces an earlier one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use veriff_conformance::mock::{MockConfig, MockServer, OutgoingWebhook, WebhookConfig};
    ///
    /// let config = MockConfig {
    ///     webhooks: WebhookConfig { event: Some("http://127.0.0.1:9/events".into()), ..WebhookConfig::default() },
    ///     ..MockConfig::generated()
    /// };
    /// let server = MockServer::builder()
    ///     .config(config)
    ///     // Every webhook goes out with a signature that does not match.
    ///     .tamper_webhooks(|webhook: &mut OutgoingWebhook| webhook.set_header("x-hmac-signature", "0"))
    ///     .start()
    ///     .await?;
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn tamper_webhooks<F>(mut self, tamper: F) -> Self
    where
        F: Fn(&mut OutgoingWebhook) + Send + Sync + 'static,
    {
        self.tamper = Some(Arc::new(tamper));
        self
    }

    /// Binds (unless given a listener) and starts serving on a background
    /// tokio task. Fails when a webhook URL of the config is not an
    /// `http(s)://` URL (an [`io::ErrorKind::InvalidInput`] error naming
    /// it), when the address cannot be bound, or when the listener's address
    /// cannot be read.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use veriff_conformance::mock::MockServer;
    ///
    /// let server = MockServer::builder().start().await?;
    /// let response = reqwest::get(format!("{}/v1/sessions/x/decision", server.base_url()))
    ///     .await
    ///     .expect("the mock answers");
    /// assert_eq!(response.status(), 401);
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(self) -> io::Result<MockServer> {
        let config = self.config.unwrap_or_else(MockConfig::generated);
        config
            .webhooks
            .check()
            .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
        let listener = match self.bind {
            Bind::Address(addr) => TcpListener::bind(addr).await?,
            Bind::Listener(listener) => listener,
        };
        let base_url = base_url_for(listener.local_addr()?);
        let limits = limits_of(&config);
        let state = Arc::new(App::new(config.clone(), base_url.clone(), self.tamper));
        let deliveries = Arc::clone(&state.deliveries);
        let app = self
            .layers
            .into_iter()
            .fold(app_router(state), |app, add| add(app));
        let (stop, stopped) = oneshot::channel::<()>();
        // Stops on `shutdown` and on drop (the sender is dropped).
        let task = tokio::spawn(serve_app(listener, app, limits, async move {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            base_url,
            config,
            stop: Some(stop),
            task: Some(task),
            deliveries,
        })
    }
}

impl fmt::Debug for MockServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bind = match &self.bind {
            Bind::Address(addr) => format!("{addr}"),
            Bind::Listener(listener) => format!("listener {:?}", listener.local_addr().ok()),
        };
        f.debug_struct("MockServerBuilder")
            .field("bind", &bind)
            .field("config", &self.config)
            .field("layers", &self.layers.len())
            .field("tamper_webhooks", &self.tamper.is_some())
            .finish()
    }
}
