//! The HTTP receiver: takes a POST on any path, reads its body within
//! [`MAX_WEBHOOK_BYTES`] and [`BODY_TIMEOUT`], keeps it in an [`Inbox`] and
//! answers 200 (Veriff retries anything else). A body over the bound is
//! answered 413 and not kept; another method is answered 405. At most
//! [`MAX_RECEIVER_CONNECTIONS`] connections are open at once, and a request
//! head must come within [`HEADER_TIMEOUT`].

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::store::{Inbox, Webhook};
use crate::http_server::{ConnectionLimits, serve_bounded};

/// The largest webhook body kept; a larger one is refused with 413.
pub const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

/// How long the receiver waits for a webhook's whole body; a slower one is refused with 408.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The most connections the receiver holds open at once; more wait in the
/// listening socket's backlog until one closes.
pub const MAX_RECEIVER_CONNECTIONS: usize = 256;

/// How long a request head may take; a slower connection (or an idle
/// kept-alive one) is closed.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// A running webhook receiver and its inbox.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use veriff_conformance::{Inbox, WebhookKind, WebhookReceiver};
///
/// let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default()).await.unwrap();
/// // reqwest is built without a TLS crypto provider: install ring's first.
/// veriff_conformance::install_crypto_provider();
/// let status = reqwest::Client::new()
///     .post(format!("{}/decisions", receiver.url()))
///     .body(r#"{"status":"success","verification":{"id":"s1","status":"approved"}}"#)
///     .send()
///     .await
///     .unwrap()
///     .status();
/// assert_eq!(status, 200);
/// let held = receiver.inbox().after(0);
/// assert_eq!((held[0].kind, held[0].path.as_str()), (WebhookKind::Decision, "/decisions"));
/// receiver.shutdown().await;
/// # }
/// ```
#[derive(Debug)]
pub struct WebhookReceiver {
    inbox: Inbox,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl WebhookReceiver {
    /// Listens on `addr` (`0.0.0.0:8090`, or port 0 for any free port) and
    /// keeps what arrives in `inbox`.
    pub async fn start(addr: &str, inbox: Inbox) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Self::on(listener, inbox)
    }

    /// Receives on a listener that is already bound.
    pub fn on(listener: TcpListener, inbox: Inbox) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(inbox.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let limits = ConnectionLimits {
            max_connections: MAX_RECEIVER_CONNECTIONS,
            header_read_timeout: HEADER_TIMEOUT,
        };
        let task = tokio::spawn(async move {
            let _ = serve_bounded(listener, app, limits, async {
                let _ = stopped.await;
            })
            .await;
        });
        Ok(WebhookReceiver {
            inbox,
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, for webhook URLs (append any path).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What arrived.
    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    /// Stops listening and waits for the connections in flight to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(inbox): State<Inbox>, request: Request) -> StatusCode {
    if request.method() != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let (parts, body): (_, Body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string());
    let read = tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_WEBHOOK_BYTES));
    let bytes = match read.await {
        Ok(Ok(bytes)) => bytes,
        // Over the bound, or the connection broke: either way not kept.
        Ok(Err(_)) => return StatusCode::PAYLOAD_TOO_LARGE,
        Err(_) => return StatusCode::REQUEST_TIMEOUT,
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    inbox.push(Webhook::new(path, headers, bytes.to_vec()));
    StatusCode::OK
}
