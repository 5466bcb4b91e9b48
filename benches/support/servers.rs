//! The two ways the benchmarks serve a registry over HTTP, to compare them
//! in one run: the bundled `MetricsServer`, and the same routes mounted
//! with `MetricsService` in an axum app that has a route of its own.

use std::net::{Ipv4Addr, SocketAddr};

use axum::routing::get;
use axum::Router;
use kvstats_core::tower::MetricsService;
use kvstats_core::{MetricsServer, Registry, ServerHandle};

/// Both servers of one registry, each on a free port of 127.0.0.1.
pub struct Servers {
    pub metrics_server: ServerHandle,
    pub axum: SocketAddr,
}

impl Servers {
    /// Starts both on the current tokio runtime; they serve until it ends.
    pub async fn start(registry: &Registry) -> Self {
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let metrics_server = MetricsServer::bind(loopback, registry.clone())
            .await
            .expect("bind the metrics server");
        let app = Router::new()
            .route("/hello", get(|| async { "hello\n" }))
            .fallback_service(MetricsService::new(registry.clone()));
        let listener = tokio::net::TcpListener::bind(loopback)
            .await
            .expect("bind the axum app");
        let axum = listener.local_addr().expect("the axum app's address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Servers {
            metrics_server,
            axum,
        }
    }

    /// The benchmark id and address of each.
    pub fn each(&self) -> [(&'static str, SocketAddr); 2] {
        [
            ("metrics_server", self.metrics_server.local_addr()),
            ("axum_tower", self.axum),
        ]
    }
}
