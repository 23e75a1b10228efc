//! Serving an axum app over HTTP/1 with bounds on open connections and on
//! the time a request head may take; the embedded mock and the webhook
//! receiver both serve this way.
//!
//! - **Open connections**: at most [`ConnectionLimits::max_connections`]. The
//!   loop takes a permit from a tokio [`Semaphore`] *before* it accepts (the
//!   pattern of tokio's mini-redis), so at the cap nothing is accepted: new
//!   clients wait in the listening socket's backlog, holding no file
//!   descriptor of ours, and are accepted as soon as a connection closes.
//! - **Request heads**: hyper's `header_read_timeout` (with hyper-util's tokio
//!   timer) closes a connection whose head is not complete within
//!   [`ConnectionLimits::header_read_timeout`]. The clock starts when hyper
//!   starts reading a head: on a new connection, and on a kept-alive one after
//!   each response. So a client that sends nothing, or its head a byte at a
//!   time, and a kept-alive connection left idle are all closed, without a
//!   reply (hyper writes none), and their slot is freed.
//!
//! Connections run on tasks owned by a [`JoinSet`], so stopping the server
//! (or dropping its future) also ends the connections; a graceful stop lets
//! the requests in flight finish first (hyper-util's [`GracefulShutdown`]).

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// How many connections may be open at once, and how long a request head may take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// Open connections at once (taken as at least 1).
    pub(crate) max_connections: usize,
    /// The time a request head may take.
    pub(crate) header_read_timeout: Duration,
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes;
/// then stops accepting, lets the connections finish the requests they are
/// serving, and returns.
pub(crate) async fn serve_bounded<L: Listener>(
    mut listener: L,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let open = Arc::new(Semaphore::new(max));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Finished connections only need their handles dropped.
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = Arc::clone(&open).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // the semaphore is never closed
            },
            () = &mut shutdown => break,
        };
        // axum's `accept` retries by itself after errors (such as EMFILE).
        let (io, _peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(TokioIo::new(io), service);
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            // Errors are the client's (a reset, a timed-out head): nothing to do.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    while connections.join_next().await.is_some() {}
    Ok(())
}
