//! kvstats' routes as a tower service (feature `tower`, off by default):
//! `/metrics`, `/health` and `/live` in an application's own axum app, on
//! its own port, instead of a second server.
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use kvstats_core::tower::MetricsService;
//! use kvstats_core::Registry;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let registry = Registry::new();
//! let app = Router::new()
//!     .route("/hello", get(|| async { "hello\n" }))
//!     .fallback_service(MetricsService::new(registry.clone()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! The app's routes win; every other request goes to kvstats, which answers
//! its three paths and 404s the rest. An app that has a fallback of its own
//! mounts the paths one by one instead, each with a clone (they share the
//! registry and the uptime clock):
//!
//! ```no_run
//! # use axum::{routing::get, Router};
//! # use kvstats_core::{tower::MetricsService, Registry};
//! let kvstats = MetricsService::new(Registry::new());
//! let app: Router = Router::new()
//!     .route("/hello", get(|| async { "hello\n" }))
//!     .route_service("/metrics", kvstats.clone())
//!     .route_service("/health", kvstats.clone())
//!     .route_service("/live", kvstats)
//!     .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "no such page\n") });
//! ```
//!
//! # What carries over from the bundled server
//!
//! [`MetricsService`] answers with the routing code of the server of the
//! feature `server` itself, so everything decided per request is the same:
//!
//! | request | response |
//! |---|---|
//! | `GET /metrics`, `HEAD /metrics` | 200, the exposition, format and gzip negotiated from `Accept` and `Accept-Encoding` by [`scrape::respond`](crate::scrape::respond), with `Vary`; counted in `kvstats_scrapes_total` |
//! | `GET /health`, `GET /live` (and `HEAD`) | 200, `{"status":"ready","uptime_seconds":12.345}` (`"live"` on `/live`), the uptime counted from [`MetricsService::new`] |
//! | any other path | 404, `not found: try /metrics, /health or /live` |
//! | another method on one of those paths | 405 with `Allow: GET, HEAD` |
//!
//! A HEAD response carries the GET body; the HTTP server under the service
//! leaves it out and keeps its `Content-Length`, as hyper (and so
//! `axum::serve`) does. Request bodies are never read.
//!
//! # What the host configures
//!
//! The rest of what the bundled server bounds belongs to the connection, and
//! the connection is the host's: a request that never parses never reaches a
//! service. `axum::serve` takes hyper's defaults and exposes none of these
//! settings, so an app that faces untrusted clients sets them where it
//! builds its HTTP stack:
//!
//! | the server's limit | with the tower service |
//! |---|---|
//! | malformed request: 400, oversized head: 431 | hyper answers these itself, under axum too (its read buffer is about 400 KiB unless set) |
//! | `max_header_bytes` | hyper's `http1::Builder::max_buf_size`, serving the app through hyper-util instead of `axum::serve` |
//! | `header_read_timeout` (slowloris) | hyper's `http1::Builder::header_read_timeout`, which needs `.timer(hyper_util::rt::TokioTimer::new())`; `axum::serve` sets no timer, so it has no header timeout |
//! | `idle_timeout` | none in `axum::serve`. hyper's `header_read_timeout` also runs while a kept-alive connection waits for its next request; a client that stops reading a response needs a proxy in front, or a timeout around the connection |
//! | `max_connections` | none in `axum::serve`, which accepts every connection; `tower::limit::ConcurrencyLimitLayer` bounds the requests in flight (not the open connections) |
//! | — | `tower_http::timeout::TimeoutLayer` bounds how long a handler may take; a scrape renders inside `call`, so it cannot cut one short |
//! | `shutdown_timeout` | `axum::serve(..).with_graceful_shutdown(..)` |
//!
//! A scrape renders the registry on the task that calls the service, as the
//! bundled server does; it takes no lock that a publisher's `update_from`
//! takes.

use std::convert::Infallible;
use std::fmt;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;

use crate::registry::MetricsRegistry;
use crate::routes::Routes;

/// `/metrics`, `/health` and `/live` of a registry, as a
/// [`tower_service::Service`] for any request body; cheap to clone (the
/// clones share the registry). See the [module docs](self) for mounting it
/// in axum and for what the host's HTTP stack must bound.
///
/// ```
/// use kvstats_core::tower::MetricsService;
/// use kvstats_core::Registry;
/// use tower_service::Service;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut service = MetricsService::new(Registry::new());
/// let request = http::Request::get("/live").body(()).unwrap();
/// let response = service.call(request).await.unwrap();
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["content-type"], "application/json");
///
/// let request = http::Request::post("/metrics").body(()).unwrap();
/// let response = service.call(request).await.unwrap();
/// assert_eq!(response.status(), 405);
/// assert_eq!(response.headers()["allow"], "GET, HEAD");
/// # }
/// ```
#[derive(Clone)]
pub struct MetricsService {
    routes: Arc<Routes>,
}

impl MetricsService {
    /// The routes of `registry` (any level: a component serves only its own
    /// subtree), as `MetricsServer::bind` takes it; the uptime of `/health` and `/live` counts from here.
    ///
    /// ```
    /// use kvstats_core::tower::MetricsService;
    /// use kvstats_core::Registry;
    ///
    /// let registry = Registry::new();
    /// let component = registry.namespace("dynamo")?.component("backend")?;
    /// let whole = MetricsService::new(registry);
    /// let backend_only = MetricsService::new(component);
    /// # drop((whole, backend_only));
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn new(registry: impl MetricsRegistry + Send + Sync + 'static) -> Self {
        MetricsService {
            routes: Arc::new(Routes::new(Arc::new(registry))),
        }
    }
}

impl fmt::Debug for MetricsService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsService").finish_non_exhaustive()
    }
}

/// Always ready, never fails: every request gets an HTTP answer, errors
/// included (a scrape that cannot be rendered is a 500).
impl<B> tower_service::Service<Request<B>> for MetricsService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        ready(Ok(self.routes.respond(&request)))
    }
}
