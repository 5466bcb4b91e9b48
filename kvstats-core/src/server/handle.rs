//! The handle of a running server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running metrics server, as [`MetricsServer::start`](super::MetricsServer::start)
/// returns it.
///
/// Dropping the handle stops the server too, without waiting for it; call
/// [`shutdown`](Self::shutdown) to know when it is done.
///
/// ```
/// use kvstats_core::{MetricsServer, Registry};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kvstats_core::Result<()> {
/// let server = MetricsServer::bind("127.0.0.1:0".parse().unwrap(), Registry::new()).await?;
/// println!("scrape http://{}/metrics", server.local_addr());
/// assert_eq!(server.open_connections(), 0);
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[must_use = "dropping the handle stops the server"]
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    accept: JoinHandle<()>,
    open: Arc<AtomicUsize>,
}

impl ServerHandle {
    pub(super) fn new(
        addr: SocketAddr,
        stop: watch::Sender<bool>,
        accept: JoinHandle<()>,
        open: Arc<AtomicUsize>,
    ) -> Self {
        ServerHandle {
            addr,
            stop,
            accept,
            open,
        }
    }

    /// The address the server listens on: with port 0 asked for, the port
    /// the operating system picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections are open now; never more than `max_connections`.
    pub fn open_connections(&self) -> usize {
        self.open.load(Relaxed)
    }

    /// Stops the server: closes the listening socket at once, lets requests
    /// in progress finish (each connection gets the shutdown timeout), closes
    /// idle keep-alive connections, and returns when every connection is
    /// closed. The port is free when it returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        // The accept task only ends by returning; a panic there would be a bug
        // in this module, and there is nothing left to stop either way.
        let _ = self.accept.await;
    }
}
