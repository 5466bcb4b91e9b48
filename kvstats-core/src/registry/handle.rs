//! The handle a registration returns, and the registration's lifecycle: the
//! series stay in the scrape while a clone of the handle lives, and leave it
//! (freeing their labels for a new registration) when the last one is dropped.

use std::any::TypeId;
use std::fmt;
use std::ops::Deref;
use std::sync::atomic::Ordering::{AcqRel, Relaxed};
use std::sync::{Arc, Weak};

use crate::instance::Instance;
use crate::metric::GaugeGroup;

use super::Shared;

/// A registered container: it derefs to the container
/// (`gauges.update_from(..)`, `gauges.kv_active_blocks.get()`), and clones
/// share the same values.
///
/// # Lifecycle
///
/// The series are exported while any clone of the handle lives (a
/// [`MetricsPublisher`](crate::MetricsPublisher) holds one). When the last
/// clone is dropped they leave the next scrape, and the same labels can be
/// registered again, so a data-parallel rank restarted in the same process
/// comes back under its old labels. [`unregister`](Self::unregister) does the
/// same at once, for every clone. To export a registration for the life of
/// the registry whatever happens to its handles, call
/// [`keep_registered`](Self::keep_registered).
///
/// ```
/// use kvstats_core::Registry;
/// use kvstats_core::dynamo::{KvStats, KvStatsGauges};
///
/// let component = Registry::new().namespace("dynamo")?.component("backend")?;
/// let gauges = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")])?;
/// gauges.update_from(&KvStats { kv_active_blocks: 3, ..Default::default() });
/// assert_eq!(gauges.kv_active_blocks.get(), 3.0);
/// assert!(!component.prometheus_text()?.is_empty());
///
/// drop(gauges);
/// assert!(component.prometheus_text()?.is_empty());
/// // The labels are free again.
/// let again = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")])?;
/// # drop(again);
/// # Ok::<(), kvstats_core::Error>(())
/// ```
#[must_use = "the series leave the registry when the last clone of this handle is dropped; \
              keep the handle, or call `keep_registered`"]
pub struct Registered<G: GaugeGroup> {
    instance: Arc<Instance<G>>,
    registry: Weak<Shared>,
}

impl<G: GaugeGroup> Registered<G> {
    /// The handle of a registration; `instance` counts it already.
    pub(crate) fn new(instance: Arc<Instance<G>>, registry: Weak<Shared>) -> Self {
        Registered { instance, registry }
    }

    /// Takes the series out of the registry, if both still exist (a
    /// registration that is gone already is left alone).
    fn remove(&self) {
        if let Some(shared) = self.registry.upgrade() {
            let erased: Arc<Instance> = self.instance.clone();
            shared.write_plan().remove(TypeId::of::<G>(), &erased);
        }
    }

    /// Removes the series from the registry now, whether or not other clones
    /// of the handle live (they keep working, but are no longer exported) or
    /// [`keep_registered`](Self::keep_registered) was called.
    ///
    /// ```
    /// use kvstats_core::Registry;
    /// use kvstats_core::dynamo::KvStatsGauges;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let gauges = KvStatsGauges::register(&component)?;
    /// let clone = gauges.clone();
    /// gauges.unregister();
    /// assert!(component.prometheus_text()?.is_empty());
    /// # drop(clone);
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn unregister(self) {
        self.remove();
    }

    /// Keeps the series registered for the life of the registry, even after
    /// every handle is dropped (the last values stay in the scrape). Only
    /// [`unregister`](Self::unregister) removes them then.
    ///
    /// ```
    /// use kvstats_core::Registry;
    /// use kvstats_core::dynamo::{KvStats, KvStatsGauges};
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let gauges = KvStatsGauges::register(&component)?;
    /// gauges.update_from(&KvStats { kv_total_blocks: 8, ..Default::default() });
    /// gauges.keep_registered();
    /// drop(gauges);
    /// assert!(component.prometheus_text()?.contains("kvstats_total_blocks"));
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn keep_registered(&self) {
        self.instance.kept.store(true, Relaxed);
    }
}

impl<G: GaugeGroup> Drop for Registered<G> {
    fn drop(&mut self) {
        let last = self.instance.handles.fetch_sub(1, AcqRel) == 1;
        if last && !self.instance.kept.load(Relaxed) {
            self.remove();
        }
    }
}

impl<G: GaugeGroup> Deref for Registered<G> {
    type Target = G;
    fn deref(&self) -> &G {
        &self.instance.values
    }
}

impl<G: GaugeGroup> Clone for Registered<G> {
    fn clone(&self) -> Self {
        self.instance.handles.fetch_add(1, Relaxed);
        Registered {
            instance: Arc::clone(&self.instance),
            registry: Weak::clone(&self.registry),
        }
    }
}

impl<G: GaugeGroup + fmt::Debug> fmt::Debug for Registered<G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.instance.values, f)
    }
}
