//! A connection's place under `max_connections`.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use tokio::sync::OwnedSemaphorePermit;

/// Held by a connection task for its whole life: the permit bounds how many
/// exist, the counter tells the handle how many are open now. (The semaphore
/// alone would count the permit the accept loop holds while it waits for the
/// next client.)
pub(super) struct Slot {
    _permit: OwnedSemaphorePermit,
    open: Arc<AtomicUsize>,
}

impl Slot {
    pub(super) fn take(permit: OwnedSemaphorePermit, open: &Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Relaxed);
        Slot {
            _permit: permit,
            open: Arc::clone(open),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Relaxed);
    }
}
