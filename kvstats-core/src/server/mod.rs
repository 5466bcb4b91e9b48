//! The `/metrics` HTTP server (feature `server`, on by default).
//!
//! ```
//! use kvstats_core::{MetricsServer, Registry};
//! use kvstats_core::dynamo::{KvStats, KvStatsGauges};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> kvstats_core::Result<()> {
//! let registry = Registry::new();
//! let component = registry.namespace("dynamo")?.component("backend")?;
//! let gauges = KvStatsGauges::register(&component)?;
//! gauges.update_from(&KvStats { kv_total_blocks: 12894, ..Default::default() });
//!
//! // Port 0 picks a free port; `local_addr` says which.
//! let server = MetricsServer::bind("127.0.0.1:0".parse().unwrap(), registry).await?;
//! println!("curl -s http://{}/metrics", server.local_addr());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Routes
//!
//! | request | response |
//! |---|---|
//! | `GET /metrics`, `HEAD /metrics` | 200, the text exposition 0.0.4 with [`CONTENT_TYPE`](crate::CONTENT_TYPE) |
//! | `GET /health`, `GET /live` (and `HEAD`) | 200, `{"status":"ready","uptime_seconds":12.345}` (`"live"` on `/live`) |
//! | any other path | 404 |
//! | another method on one of those paths | 405 with `Allow: GET, HEAD` |
//! | a request hyper cannot parse | 400, and the connection is closed |
//! | a request head larger than `max_header_bytes` | 431, and the connection is closed |
//!
//! Every one of these ends at most its own connection; the server goes on
//! accepting. A scrape renders the registry with
//! [`prometheus_text`](crate::MetricsRegistry::prometheus_text), which reads
//! the gauge cells without any lock a publisher's `update_from` takes, so
//! scrapes never slow down publishing.
//!
//! # Address
//!
//! [`MetricsServer::new`] binds `KVSTATS_METRICS_ADDR` if it is set (an
//! `IP:PORT`; anything else is an error naming the variable), else
//! [`DEFAULT_ADDR`], `127.0.0.1:8081`: loopback only. Binding all interfaces
//! takes an explicit `0.0.0.0:8081` or `[::]:8081`.
//!
//! # Limits
//!
//! A metrics endpoint must not be a way to take a worker down, so every
//! resource a client can make the server hold is bounded, and each bound is a
//! method of [`MetricsServer`]:
//!
//! | setting | default | bounds |
//! |---|---|---|
//! | [`max_connections`](MetricsServer::max_connections) | 512 | open connections. When all are taken the server stops accepting: new clients wait in the kernel's accept queue (they are not refused) until a connection closes, which the two timeouts below guarantee happens |
//! | [`header_read_timeout`](MetricsServer::header_read_timeout) | 5 s | the time a request head may take to arrive, counted from when the server starts waiting for it, so a client trickling bytes (slowloris) is cut off too. hyper also starts this clock while a kept-alive connection waits for its next request, so it bounds keep-alive idleness as well |
//! | [`idle_timeout`](MetricsServer::idle_timeout) | 10 s | silence: a connection on which no byte has moved either way for this long is closed, whatever it was doing (waiting for a request, or for a client that stopped reading its response or stopped sending a body) |
//! | [`max_header_bytes`](MetricsServer::max_header_bytes) | 16 KiB | the request line and headers (hyper's read buffer, `max_buf_size`; 8 KiB at least). A larger head gets 431 |
//! | [`shutdown_timeout`](MetricsServer::shutdown_timeout) | 5 s | how long [`shutdown`](ServerHandle::shutdown) lets a request in progress finish before its connection is dropped |
//!
//! With the defaults, the memory a client can pin is at most about
//! `max_connections` × (`max_header_bytes` + one response), for at most a few
//! seconds. Request bodies are never read.
//!
//! # Why hyper and not axum
//!
//! The server has three fixed routes and no extractors, middleware or
//! state beyond one registry handle. axum would bring tower, tower-layer,
//! tower-service, matchit, serde and its derive, and a dozen more crates
//! into every worker that only wants a `/metrics` endpoint, for a routing
//! `match` of three arms; hyper 1 with hyper-util's tokio glue is the
//! part of that stack we actually need. That keeps the build of a user's
//! worker short and the dependency tree small enough to audit, and it
//! exposes the connection-level settings we bound (header timeout, buffer
//! size) directly. An application that runs axum already can mount these
//! very routes in its own app instead, with the feature `tower`
//! (`kvstats_core::tower::MetricsService`). Turn off the feature `server`
//! to drop hyper and serve
//! [`prometheus_text`](crate::MetricsRegistry::prometheus_text) from your
//! own HTTP stack.

mod accept;
mod activity;
mod config;
mod connection;
mod handle;
mod slot;
mod stop;

use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

pub use config::{addr_from_env, parse_addr, ADDR_ENV, DEFAULT_ADDR};
pub use handle::ServerHandle;

use crate::error::{Error, Result};
use crate::registry::MetricsRegistry;
use crate::routes::Routes;
use accept::Acceptor;
use config::Limits;

/// The settings of a metrics server, and the way to start one; see the
/// [module docs](self) for the routes and limits.
///
/// ```
/// use std::time::Duration;
/// use kvstats_core::{MetricsServer, Registry};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kvstats_core::Result<()> {
/// let server = MetricsServer::new()
///     .addr("127.0.0.1:0".parse().unwrap())
///     .max_connections(64)
///     .header_read_timeout(Duration::from_secs(2))
///     .start(Registry::new())
///     .await?;
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a MetricsServer does nothing until `start` is awaited"]
pub struct MetricsServer {
    addr: Option<SocketAddr>,
    limits: Limits,
}

impl MetricsServer {
    /// Default settings; the address is [`addr_from_env`] unless
    /// [`addr`](Self::addr) sets one.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `addr` with default limits and starts serving `registry`.
    ///
    /// ```
    /// use kvstats_core::{MetricsServer, Registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> kvstats_core::Result<()> {
    /// let server = MetricsServer::bind("127.0.0.1:0".parse().unwrap(), Registry::new()).await?;
    /// assert_ne!(server.local_addr().port(), 0);
    /// server.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind(
        addr: SocketAddr,
        registry: impl MetricsRegistry + Send + Sync + 'static,
    ) -> Result<ServerHandle> {
        Self::new().addr(addr).start(registry).await
    }

    /// The address to listen on; port 0 picks a free port.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// The most connections open at once (1 to 65536); default 512.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// How long a request head may take to arrive (1 ms to 24 h); default 5 s.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a connection may stay silent before it is closed (1 ms to
    /// 24 h); default 10 s.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// The largest request head, in bytes (8192 to 1048576); default 16384.
    pub fn max_header_bytes(mut self, max: usize) -> Self {
        self.limits.max_header_bytes = max;
        self
    }

    /// How long `shutdown` lets requests in progress finish (at most 24 h);
    /// default 5 s.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.limits.shutdown_timeout = timeout;
        self
    }

    /// Checks the settings, binds, and serves `registry` (any level: a
    /// component serves only its own subtree) on a tokio task until the
    /// handle is shut down or dropped. Must be called inside a tokio runtime.
    ///
    /// ```
    /// use kvstats_core::{Error, MetricsServer, Registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let err = MetricsServer::new().max_connections(0).start(Registry::new()).await.unwrap_err();
    /// assert!(matches!(err, Error::InvalidSetting { setting: "max_connections", .. }));
    /// # }
    /// ```
    pub async fn start(
        self,
        registry: impl MetricsRegistry + Send + Sync + 'static,
    ) -> Result<ServerHandle> {
        self.limits.check()?;
        let addr = match self.addr {
            Some(addr) => addr,
            None => addr_from_env()?,
        };
        let bind_error = |source| Error::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        let (stop_tx, stop) = watch::channel(false);
        let open = Arc::new(AtomicUsize::new(0));
        let acceptor = Acceptor {
            listener,
            routes: Arc::new(Routes::new(Arc::new(registry))),
            limits: self.limits,
            slots: Arc::new(Semaphore::new(self.limits.max_connections)),
            open: Arc::clone(&open),
            stop,
        };
        let accept = tokio::spawn(acceptor.run());
        Ok(ServerHandle::new(local_addr, stop_tx, accept, open))
    }
}
