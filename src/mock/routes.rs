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
use axum::routing::{MethodFilter, MethodRouter, on, options};

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

/// Who documents a route: Veriff's session API, or the mock alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    /// An endpoint of Veriff's session API (docs/veriff-api.md, section 4).
    Veriff,
    /// A route only the mock has: the session page and the `/mock` controls.
    MockOnly,
}

/// One route of the mock: a method on a path, and its handler.
pub(crate) struct Route {
    /// The HTTP method.
    pub(crate) method: Method,
    /// The path, with axum's `{name}` parameters.
    pub(crate) path: &'static str,
    /// Whether Veriff documents it.
    pub(crate) surface: Surface,
    handler: Handler,
}

type Handler = fn(MethodFilter) -> MethodRouter<Arc<App>>;

const fn route(surface: Surface, method: Method, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        surface,
        handler,
    }
}

const fn veriff(method: Method, path: &'static str, handler: Handler) -> Route {
    route(Surface::Veriff, method, path, handler)
}

const fn mock_only(method: Method, path: &'static str, handler: Handler) -> Route {
    route(Surface::MockOnly, method, path, handler)
}

/// Every route of the mock, in one place: the router is built from it, and
/// so is the OpenAPI document of Veriff's API (its [`Surface::Veriff`] routes).
pub(crate) static ROUTES: &[Route] = &[
    veriff(Method::POST, "/v1/sessions", |m| {
        on(m, sessions::create_session)
    }),
    veriff(Method::PATCH, "/v1/sessions/{id}", |m| {
        on(m, sessions::submit_session)
    }),
    veriff(Method::DELETE, "/v1/sessions/{id}", |m| {
        on(m, sessions::delete_session)
    }),
    veriff(Method::POST, "/v1/sessions/{id}/media", |m| {
        on(m, media::upload_media)
    }),
    veriff(Method::GET, "/v1/sessions/{id}/media", |m| {
        on(m, media::session_media)
    }),
    veriff(Method::GET, "/v1/media/{id}", |m| {
        on(m, media::download_media)
    }),
    veriff(Method::GET, "/v1/attempts/{id}/media", |m| {
        on(m, media::attempt_media)
    }),
    veriff(Method::GET, "/v1/sessions/{id}/attempts", |m| {
        on(m, decisions::attempts)
    }),
    veriff(Method::GET, "/v1/sessions/{id}/decision", |m| {
        on(m, decisions::decision)
    }),
    veriff(Method::GET, "/v1/sessions/{id}/person", |m| {
        on(m, decisions::person)
    }),
    veriff(Method::GET, "/v1/sessions/{id}/watchlist-screening", |m| {
        on(m, decisions::watchlist_screening)
    }),
    // Mock-only: the end user's session page, webhook deliveries and the
    // decision trigger.
    mock_only(Method::GET, "/v/{token}", |m| on(m, sessions::open_session)),
    // The flow page's buttons (mock-only, like the page).
    mock_only(Method::POST, "/v/{token}/{action}", |m| on(m, flow::act)),
    mock_only(Method::GET, "/mock/webhooks", |m| {
        on(m, webhooks::delivery_log)
    }),
    mock_only(Method::GET, "/mock/webhooks/{id}", |m| {
        on(m, webhooks::delivery)
    }),
    mock_only(Method::POST, "/mock/webhooks/{id}/resend", |m| {
        on(m, webhooks::resend)
    }),
    mock_only(Method::POST, "/mock/sessions/{id}/decision", |m| {
        on(m, webhooks::trigger_decision)
    }),
];

/// The router over a mock's state.
pub(super) fn app_router(app: Arc<App>) -> Router {
    let latency = app.config.latency;
    ROUTES
        .iter()
        .fold(Router::new(), |router, route| {
            let filter = MethodFilter::try_from(route.method.clone())
                .expect("the route table names methods axum can route");
            router.route(route.path, (route.handler)(filter))
        })
        // Browsers: the JS SDK's preflight for create (`cors.rs`), not in the
        // table, which holds the API's operations and the mock's controls.
        .route("/v1/sessions", options(cors::preflight))
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
