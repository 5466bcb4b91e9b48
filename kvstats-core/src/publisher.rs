//! The publisher: the one object a worker's hot path calls after every
//! forward pass; it stores the stats into the registered cells and hands
//! them to subscribers.

use std::fmt;
use std::sync::Arc;

use tokio::sync::watch;

use crate::error::Result;
use crate::metric::{GaugeGroup, PromGauges};
use crate::registry::{MetricsRegistry, Registered};

/// Publishes a stats struct `T`: stores it into `T`'s registered gauges and
/// hands it to every subscriber.
///
/// The gauges are registered when the publisher is built, so a publisher
/// whose values never reach a scrape cannot exist; they stay registered while
/// the publisher (or a clone of its [`gauges`](Self::gauges) handle) lives,
/// and leave the scrape when it is dropped, so the same labels can be
/// published again by a new publisher (see [`Registered`]).
///
/// [`publish`](Self::publish) takes an `Arc<T>` (a `T` converts into one):
/// the watch channel then stores a pointer, so a subscriber clones the `Arc`
/// and lets go of the channel at once instead of holding a read lock on the
/// value while it works with it, which would stall the next `publish`. It
/// also lets a worker that keeps its own copy of the latest stats share it
/// with the publisher without copying the per-position vectors.
///
/// Publish from one task per publisher: two `publish` calls at the same time
/// each store every field, but a scrape between them may see fields of both.
///
/// ```
/// use kvstats_core::Registry;
/// use kvstats_core::dynamo::{ForwardPassMetrics, KvStats, WorkerMetricsPublisher};
///
/// let registry = Registry::new();
/// let component = registry.namespace("dynamo")?.component("backend")?;
/// let publisher = WorkerMetricsPublisher::new(&component)?;
/// let mut updates = publisher.subscribe();
///
/// publisher.publish(ForwardPassMetrics {
///     kv_stats: KvStats { kv_active_blocks: 12, kv_total_blocks: 100, ..Default::default() },
///     ..Default::default()
/// });
///
/// assert_eq!(publisher.gauges().kv_stats.kv_active_blocks.get(), 12.0);
/// assert!(updates.has_changed().unwrap_or(false));
/// assert_eq!(updates.borrow_and_update().kv_stats.kv_total_blocks, 100);
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub struct MetricsPublisher<T: PromGauges> {
    gauges: Registered<T::Gauges>,
    latest: watch::Sender<Arc<T>>,
}

impl<T> MetricsPublisher<T>
where
    T: PromGauges + Default + Send + Sync,
{
    /// Registers `T`'s gauges on `level` and returns their publisher. A
    /// second publisher of the same `T` on the same level needs distinct
    /// labels: see [`with_labels`](Self::with_labels).
    ///
    /// ```
    /// use kvstats_core::{MetricsPublisher, Registry};
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let publisher = MetricsPublisher::<KvStats>::new(&component)?;
    /// assert!(MetricsPublisher::<KvStats>::new(&component).is_err());
    /// # drop(publisher);
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    #[must_use = "the gauges leave the registry when the publisher is dropped"]
    pub fn new(level: &impl MetricsRegistry) -> Result<Self> {
        Self::with_labels(level, &[])
    }

    /// Registers `T`'s gauges on `level` with `labels` on every series, as
    /// data-parallel ranks in one process need (`&[("dp_rank", "0")]`).
    /// The same labels twice on one level are an
    /// [`Error::AlreadyRegistered`](crate::Error::AlreadyRegistered).
    ///
    /// ```
    /// use kvstats_core::{MetricsPublisher, Registry};
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// let registry = Registry::new();
    /// let component = registry.namespace("dynamo")?.component("backend")?;
    /// let publisher = MetricsPublisher::<KvStats>::with_labels(&component, &[("dp_rank", "3")])?;
    /// publisher.publish(KvStats { kv_total_blocks: 8, ..Default::default() });
    /// assert!(registry.prometheus_text()?.lines().any(|line| line ==
    ///     r#"dynamo_component_kvstats_total_blocks{dp_rank="3",dynamo_component="backend",dynamo_namespace="dynamo"} 8"#));
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    #[must_use = "the gauges leave the registry when the publisher is dropped"]
    pub fn with_labels(level: &impl MetricsRegistry, labels: &[(&str, &str)]) -> Result<Self> {
        let gauges = level.register::<T::Gauges>(labels)?;
        let initial = Arc::new(T::default());
        // The scrape and the subscribers agree from the start: both show the default.
        gauges.update_from(&initial);
        let (latest, _) = watch::channel(initial);
        Ok(MetricsPublisher { gauges, latest })
    }

    /// Stores `stats` into the gauges, then makes it the value subscribers
    /// see; works with no subscriber at all.
    ///
    /// The store is a run of relaxed atomic stores: no lock, no allocation,
    /// and a scrape never delays it. Handing the value to subscribers costs
    /// more: a `T` is moved into a new `Arc` (pass an `Arc<T>` to avoid that
    /// allocation), and the `tokio::sync::watch` channel takes its lock for
    /// the swap, so a subscriber that holds [`borrow`](watch::Receiver::borrow)
    /// delays `publish` until it lets go.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use kvstats_core::{MetricsPublisher, Registry};
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let publisher = MetricsPublisher::<KvStats>::new(&component)?;
    /// let stats = Arc::new(KvStats { kv_active_blocks: 5, ..Default::default() });
    /// publisher.publish(Arc::clone(&stats));
    /// assert!(Arc::ptr_eq(&publisher.latest(), &stats));
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn publish(&self, stats: impl Into<Arc<T>>) {
        let stats = stats.into();
        self.gauges.update_from(&stats);
        self.latest.send_replace(stats);
    }

    /// A receiver that sees the latest published value (the default until
    /// the first `publish`) and is woken by every later one.
    ///
    /// ```
    /// use kvstats_core::{MetricsPublisher, Registry};
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let publisher = MetricsPublisher::<KvStats>::new(&component)?;
    /// let updates = publisher.subscribe();
    /// assert_eq!(updates.borrow().kv_active_blocks, 0);
    /// publisher.publish(KvStats { kv_active_blocks: 9, ..Default::default() });
    /// assert_eq!(updates.borrow().kv_active_blocks, 9);
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn subscribe(&self) -> watch::Receiver<Arc<T>> {
        self.latest.subscribe()
    }

    /// The value published last (the default before the first `publish`).
    ///
    /// ```
    /// use kvstats_core::{MetricsPublisher, Registry};
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let publisher = MetricsPublisher::<KvStats>::new(&component)?;
    /// assert_eq!(*publisher.latest(), KvStats::default());
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn latest(&self) -> Arc<T> {
        Arc::clone(&self.latest.borrow())
    }

    /// The registered gauges, for reading values back or for
    /// [`unregister`](Registered::unregister)ing them.
    ///
    /// ```
    /// use kvstats_core::{MetricsPublisher, Registry};
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let publisher = MetricsPublisher::<KvStats>::new(&component)?;
    /// publisher.publish(KvStats { gpu_cache_usage_perc: 0.25, ..Default::default() });
    /// assert_eq!(publisher.gauges().gpu_cache_usage_perc.get(), 0.25);
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    pub fn gauges(&self) -> &Registered<T::Gauges> {
        &self.gauges
    }
}

impl<T> fmt::Debug for MetricsPublisher<T>
where
    T: PromGauges + fmt::Debug,
    T::Gauges: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsPublisher")
            .field("gauges", &self.gauges)
            .field("latest", &*self.latest.borrow())
            .finish()
    }
}
