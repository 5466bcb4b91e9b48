//! Static metric metadata and the traits the derive implements.

use crate::gauge::Reading;
use crate::registered::Registered;
use crate::registry::MetricsRegistry;

/// The Prometheus type of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetricKind {
    /// A value that goes up and down.
    Gauge,
}

impl MetricKind {
    /// The word used in `# TYPE` lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricKind::Gauge => "gauge",
        }
    }
}

/// Everything known at compile time about one metric of a stats struct.
///
/// `name` is the metric name without the registry's root prefix (which is
/// added at registration: `dynamo_component_` + `kvstats_active_blocks`).
///
/// ```
/// use kvstats_core::{KvStats, MetricKind, PromGauges};
///
/// let first = &KvStats::METRICS[0];
/// assert_eq!(first.name, "kvstats_active_blocks");
/// assert_eq!(first.struct_name, "KvStats");
/// assert_eq!(first.field, "kv_active_blocks");
/// assert_eq!(first.help, "Number of active KV cache blocks currently in use");
/// assert_eq!(first.unit, None);
/// assert_eq!(first.kind, MetricKind::Gauge);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MetricDef {
    /// The metric name: `{prefix}_{name}[_{unit}]`.
    pub name: &'static str,
    /// The stats struct that declares the field.
    pub struct_name: &'static str,
    /// The constant that holds `name` in the struct's generated constants
    /// module (`ACTIVE_BLOCKS` in `kvstats`).
    pub constant: &'static str,
    /// The field the value comes from.
    pub field: &'static str,
    /// The help text.
    pub help: &'static str,
    /// The unit suffix, if one was given.
    pub unit: Option<&'static str>,
    /// The metric type.
    pub kind: MetricKind,
    /// For per-position fields, the label that carries the position.
    pub label: Option<&'static str>,
    /// For a deprecated alias (`deprecated_name`), the current name.
    pub replaced_by: Option<&'static str>,
}

impl MetricDef {
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        constant: &'static str,
        struct_name: &'static str,
        field: &'static str,
        help: &'static str,
        unit: Option<&'static str>,
        label: Option<&'static str>,
    ) -> Self {
        MetricDef {
            name,
            constant,
            struct_name,
            field,
            help,
            unit,
            kind: MetricKind::Gauge,
            label,
            replaced_by: None,
        }
    }

    #[doc(hidden)]
    pub const fn __replaced_by(mut self, current: Option<&'static str>) -> Self {
        self.replaced_by = current;
        self
    }

    /// Where the value comes from, as `Struct.field`.
    pub fn source(&self) -> String {
        format!("{}.{}", self.struct_name, self.field)
    }
}

/// A stats struct whose fields are exported as Prometheus gauges.
///
/// Implemented by `#[derive(PromGauges)]`; see the crate docs for the attributes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not derive `PromGauges`",
    label = "nested with `#[prom(flatten)]` or published, so it needs `#[derive(PromGauges)]`",
    note = "add `#[derive(PromGauges)]` to `{Self}`, or leave the field out with `#[prom(skip)]`"
)]
pub trait PromGauges: Sized + 'static {
    /// The generated gauge container (`KvStatsGauges` for `KvStats`).
    type Gauges: GaugeGroup<Stats = Self>;
    /// Every metric, in field order, nested groups included.
    const METRICS: &'static [MetricDef];
}

/// A generated gauge container: the values of one stats struct, stored inline.
///
/// Generated containers also have inherent methods of the same names, so
/// calling them needs no import of this trait.
pub trait GaugeGroup: Default + Send + Sync + 'static {
    /// The stats struct this container mirrors.
    type Stats: PromGauges<Gauges = Self>;

    /// Stores every field of `stats`. No lock, no allocation.
    fn update_from(&self, stats: &Self::Stats);

    /// Makes every series of this container absent from the next scrape.
    fn clear(&self);

    /// Registers a new container on `registry`, with `labels` added to every
    /// series; the generic form of the generated `register_with_labels`.
    ///
    /// ```
    /// use kvstats_core::{GaugeGroup, KvStatsGauges, Registry};
    ///
    /// let component = Registry::new().namespace("dynamo")?.component("backend")?;
    /// let rank0 = KvStatsGauges::register_on(&component, &[("dp_rank", "0")])?;
    /// let rank1 = KvStatsGauges::register_on(&component, &[("dp_rank", "1")])?;
    /// assert!(KvStatsGauges::register_on(&component, &[("dp_rank", "1")]).is_err());
    /// # Ok::<(), kvstats_core::Error>(())
    /// ```
    fn register_on(
        registry: &impl MetricsRegistry,
        labels: &[(&str, &str)],
    ) -> crate::Result<Registered<Self>> {
        crate::registry::register::<Self>(registry, labels)
    }

    /// What the scrape reads for metric `index` of `Stats::METRICS`.
    #[doc(hidden)]
    fn __reading(&self, index: usize) -> Reading<'_>;
}
