//! The stop signal the handle sends to the accept loop and every connection.

use tokio::sync::watch;

/// Completes when the server is told to stop: `true` was sent, or the
/// handle was dropped (the sender is gone, so nobody can stop it later).
pub(super) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
