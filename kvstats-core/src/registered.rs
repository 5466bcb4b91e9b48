//! The handle that registration returns.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Weak};

use crate::error::Result;
use crate::group::GroupSet;
use crate::registry::Shared;

/// A gauge container that is registered on a registry: it derefs to the
/// container (`gauges.update_from(..)`, `gauges.kv_active_blocks.get()`), and
/// clones share the same values.
///
/// The values live in one allocation that the registry's scrape reads too, so
/// the container stays registered after every handle is dropped; call
/// [`unregister`](Self::unregister) to remove its series.
///
/// ```
/// use kvstats_core::{KvStats, KvStatsGauges, Registry};
///
/// let component = Registry::new().namespace("dynamo")?.component("backend")?;
/// let gauges = KvStatsGauges::register(&component)?;
/// gauges.update_from(&KvStats { kv_active_blocks: 3, ..Default::default() });
/// assert_eq!(gauges.kv_active_blocks.get(), 3.0);
///
/// gauges.unregister()?;
/// assert!(component.prometheus_text()?.is_empty());
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub struct Registered<G> {
    values: Arc<G>,
    registry: Weak<Shared>,
    id: u64,
}

impl<G> Registered<G> {
    pub(crate) fn new(values: Arc<G>, registry: Weak<Shared>, id: u64) -> Self {
        Registered {
            values,
            registry,
            id,
        }
    }

    /// Removes this container's series from the registry. Other clones of the
    /// handle keep working but are no longer exported.
    pub fn unregister(self) -> Result<()> {
        match self.registry.upgrade() {
            Some(shared) => GroupSet::remove(&shared, self.id),
            None => Ok(()),
        }
    }
}

impl<G> Deref for Registered<G> {
    type Target = G;
    fn deref(&self) -> &G {
        &self.values
    }
}

impl<G> Clone for Registered<G> {
    fn clone(&self) -> Self {
        Registered {
            values: Arc::clone(&self.values),
            registry: Weak::clone(&self.registry),
            id: self.id,
        }
    }
}

impl<G: fmt::Debug> fmt::Debug for Registered<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.values, f)
    }
}
