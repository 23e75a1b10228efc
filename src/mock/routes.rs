//! The route table: every route of the mock, in one place, and the layers
//! around them. A new endpoint is a line here plus a section in its
//! resource's file ([`sessions`](super::sessions), [`media`](super::media),
//! [`decisions`](super::decisions), [`webhooks`](super::webhooks)).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, patch, post};

use super::app::App;
use super::config::MockConfig;
use super::controls;
use super::errors::ApiError;
use super::{cors, decisions, flow, media, sessions, webhooks};

/// The mock as an axum [`Router`], for serving it yourself.
///
/// `public_base_url` is the URL the mock is reachable at; it is used as the
/// session `host` (and in session `url`s) unless [`MockConfig::host`] is set.
/// Every router has its own, empty, session store.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use veriff_conformance::mock::{MockConfig, router};
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let base_url = format!("http://{}", listener.local_addr()?);
/// let config = MockConfig::generated();
/// let api_key = config.api_key.clone();
/// let app = router(config, base_url.clone());
/// tokio::spawn(async move { axum::serve(listener, app).await });
///
/// let created: serde_json::Value = reqwest::Client::new()
///     .post(format!("{base_url}/v1/sessions"))
///     .header("x-auth-client", api_key)
///     .header("content-type", "application/json")
///     .body(r#"{"verification":{}}"#)
///     .send()
///     .await?
///     .json()
///     .await?;
/// assert_eq!(created["verification"]["status"], "created");
/// assert_eq!(created["verification"]["host"], base_url.as_str());
/// # Ok(())
/// # }
/// ```
pub fn router(config: MockConfig, public_base_url: String) -> Router {
    app_router(Arc::new(App::new(config, public_base_url, None)))
}

/// The router over a mock's state.
pub(super) fn app_router(app: Arc<App>) -> Router {
    let latency = app.config.latency;
    Router::new()
        .route(
            "/v1/sessions",
            post(sessions::create_session).options(cors::preflight),
        )
        .route(
            "/v1/sessions/{id}",
            patch(sessions::submit_session).delete(sessions::delete_session),
        )
        .route(
            "/v1/sessions/{id}/media",
            post(media::upload_media).get(media::session_media),
        )
        .route("/v1/media/{id}", get(media::download_media))
        .route("/v1/attempts/{id}/media", get(media::attempt_media))
        .route("/v1/sessions/{id}/attempts", get(decisions::attempts))
        .route("/v1/sessions/{id}/decision", get(decisions::decision))
        .route("/v1/sessions/{id}/person", get(decisions::person))
        .route(
            "/v1/sessions/{id}/watchlist-screening",
            get(decisions::watchlist_screening),
        )
        .route("/v/{token}", get(sessions::open_session))
        // The flow page's buttons (mock-only, like the page).
        .route("/v/{token}/{action}", post(flow::act))
        // Mock-only: webhook deliveries and the decision trigger.
        .route("/mock/webhooks", get(webhooks::delivery_log))
        .route("/mock/webhooks/{id}", get(webhooks::delivery))
        .route("/mock/webhooks/{id}/resend", post(webhooks::resend))
        .route(
            "/mock/sessions/{id}/decision",
            post(webhooks::trigger_decision),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(controls::delay))
        .with_state(app)
        .layer(axum::middleware::from_fn_with_state(latency, fixed_latency))
        .layer(axum::middleware::from_fn(cors::allow_origin))
}

/// Unknown paths: JSON 404.
async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Known paths with another method: JSON 405; a browser's preflight for
/// any route but create gets a JSON 403 (`cors.rs`).
async fn method_not_allowed(method: Method, headers: HeaderMap) -> ApiError {
    if cors::is_preflight(&method, &headers) {
        cors::refused_preflight()
    } else {
        ApiError::method_not_allowed()
    }
}

/// [`MockConfig::latency`]: waits, then handles the request.
async fn fixed_latency(State(latency): State<Duration>, request: Request, next: Next) -> Response {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    next.run(request).await
}
