//! The accept loop: one task per connection, at most `max_connections` at once.

use std::io;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use super::config::Limits;
use super::connection;
use super::slot::Slot;
use super::stop::stopped;
use crate::routes::Routes;

/// How long to wait after an accept error that is not about one connection
/// (out of file descriptors, say): retrying at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

pub(super) struct Acceptor {
    pub(super) listener: TcpListener,
    pub(super) routes: Arc<Routes>,
    pub(super) limits: Limits,
    pub(super) slots: Arc<Semaphore>,
    pub(super) open: Arc<AtomicUsize>,
    pub(super) stop: watch::Receiver<bool>,
}

impl Acceptor {
    /// Accepts until stopped, then closes the listener and waits until every
    /// connection task has ended (each bounds its own graceful close).
    pub(super) async fn run(self) {
        let Acceptor {
            listener,
            routes,
            limits,
            slots,
            open,
            mut stop,
        } = self;
        let http = connection::http1(&limits);
        loop {
            // A free slot first, then a connection: past the limit, clients
            // wait in the kernel's accept queue instead of being refused.
            let permit = tokio::select! {
                biased;
                () = stopped(&mut stop) => break,
                permit = Arc::clone(&slots).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_closed) => break,
                },
            };
            let stream = tokio::select! {
                biased;
                () = stopped(&mut stop) => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        drop(permit);
                        if !is_per_connection(&e) {
                            tokio::select! {
                                () = stopped(&mut stop) => break,
                                () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                            }
                        }
                        continue;
                    }
                },
            };
            tokio::spawn(connection::serve(
                stream,
                http.clone(),
                Arc::clone(&routes),
                limits,
                stop.clone(),
                Slot::take(permit, &open),
            ));
        }
        // Free the port now; the connections still open finish on their own sockets.
        drop(listener);
        let _all_closed = slots.acquire_many(limits.permits()).await;
    }
}

/// Errors that concern only the connection being accepted.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}
