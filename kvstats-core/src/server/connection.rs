//! One accepted connection, from the first byte to the close.

use std::convert::Infallible;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::activity::{Activity, Tracked};
use super::config::Limits;
use super::slot::Slot;
use super::stop::stopped;
use crate::routes::Routes;

/// The HTTP/1 settings every connection of one server shares.
pub(super) fn http1(limits: &Limits) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes)
        .keep_alive(true);
    http
}

/// Serves `stream` until the peer closes it, it fails, it stays silent for
/// the idle timeout, or the server stops. Whatever happens here ends this
/// connection only: errors are dropped with it, and `_slot` returns the
/// connection's place under `max_connections` when the task ends.
pub(super) async fn serve(
    stream: TcpStream,
    http: http1::Builder,
    routes: Arc<Routes>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _slot: Slot,
) {
    // Scrape responses are written in one piece; Nagle would only delay them.
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    let io = TokioIo::new(Tracked::new(stream, activity.clone()));
    let service = service_fn(move |request: Request<Incoming>| {
        let response = routes.respond(&request);
        async move { Ok::<_, Infallible>(response) }
    });
    let connection = http.serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        // Nothing moved for the whole idle timeout: there is no request in
        // progress worth finishing, so the socket is simply dropped.
        () = activity.idle_for(limits.idle_timeout) => return,
        () = stopped(&mut stop) => {}
    }
    // Let a request in progress finish, but not forever.
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(limits.shutdown_timeout, connection).await;
}
