//! The mock's connection bounds ([`MockConfig::max_connections`],
//! [`MockConfig::header_read_timeout`]) and its serving loop: the crate's
//! bounded HTTP/1 serving, each connection wrapped in
//! [`JsonErrors`](super::transport::JsonErrors).

use std::future::Future;
use std::io;

use axum::Router;
use tokio::net::TcpListener;

use super::config::MockConfig;
use super::transport::JsonErrorsListener;
use crate::http_server::{ConnectionLimits, serve_bounded};

/// The connection bounds of `config`.
pub(crate) fn limits_of(config: &MockConfig) -> ConnectionLimits {
    ConnectionLimits {
        max_connections: config.max_connections,
        header_read_timeout: config.header_read_timeout,
    }
}

/// Serves `app` on `listener` within `limits`, each connection wrapped in
/// [`JsonErrors`](super::transport::JsonErrors), until `shutdown` completes.
pub(crate) async fn serve_app(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_bounded(JsonErrorsListener(listener), app, limits, shutdown).await
}
