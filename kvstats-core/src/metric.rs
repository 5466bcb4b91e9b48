//! Static metric metadata ([`MetricDef`], [`MetricKind`]) and the traits the
//! derive implements ([`PromGauges`] on the stats struct, [`GaugeGroup`] on
//! the generated container).

use crate::cells::Reading;
pub use crate::kind::MetricKind;

/// Everything known at compile time about one metric of a stats struct.
///
/// `name` is the metric name without the registry's root prefix (which is
/// added at registration: `dynamo_component_` + `kvstats_active_blocks`).
///
/// ```
/// use kvstats_core::{MetricKind, PromGauges};
/// use kvstats_core::dynamo::KvStats;
///
/// let first = &KvStats::METRICS[0];
/// assert_eq!(first.name, "kvstats_active_blocks");
/// assert_eq!(first.struct_name, "KvStats");
/// assert_eq!(first.field, "kv_active_blocks");
/// assert_eq!(first.help, "Number of active KV cache blocks currently in use");
/// assert_eq!(first.unit, None);
/// assert_eq!(first.kind, MetricKind::Gauge);
/// assert!(first.labels.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct MetricDef {
    /// The metric name: `{prefix}_{name}[_{unit}]`.
    pub name: &'static str,
    /// The stats struct that declares the field (`kvstats` for the library's
    /// own metrics).
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
    /// The labels each series adds to those of its registration: `position`
    /// for a per-position field, the key's label for a keyed one, nothing for
    /// a plain one.
    pub labels: &'static [&'static str],
    /// For a histogram, the finite upper bounds of its buckets, ascending
    /// (`+Inf` is implied); empty for other kinds.
    pub buckets: &'static [f64],
    /// Whether the field holds the amount since the previous update
    /// (`#[prom(counter, delta)]`), which is added, rather than the value.
    pub delta: bool,
    /// For a deprecated alias (`deprecated_name`), the current name.
    pub replaced_by: Option<&'static str>,
    /// How the fleet view combines its series across instances
    /// (`aggregate = ".."`, else [`default_aggregations`](crate::fleet::default_aggregations));
    /// empty for `aggregate = "none"`.
    pub aggregate: &'static [crate::fleet::Aggregation],
    /// The two metrics this one is the ratio of (`ratio_of(..)`), which the
    /// fleet view divides after summing each.
    pub ratio_of: Option<crate::fleet::RatioOf>,
    /// The alerts declared on the field (`alert(..)`), and for a struct's
    /// first metric those declared on the struct.
    pub alerts: &'static [crate::fleet::AlertDef],
}

impl MetricDef {
    /// A gauge with every field empty: the base the library's own
    /// definitions are written from, and what arrays of definitions are
    /// filled with before they are written.
    pub(crate) const BLANK: MetricDef = MetricDef {
        name: "",
        struct_name: "",
        constant: "",
        field: "",
        help: "",
        unit: None,
        kind: MetricKind::Gauge,
        labels: &[],
        buckets: &[],
        delta: false,
        replaced_by: None,
        aggregate: &[],
        ratio_of: None,
        alerts: &[],
    };

    /// Where the value comes from, as `Struct.field`.
    ///
    /// ```
    /// use kvstats_core::PromGauges;
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// assert_eq!(KvStats::METRICS[1].source(), "KvStats.kv_total_blocks");
    /// ```
    pub fn source(&self) -> String {
        format!("{}.{}", self.struct_name, self.field)
    }

    /// Whether this entry is an old name kept for a migration.
    pub const fn is_deprecated(&self) -> bool {
        self.replaced_by.is_some()
    }

    /// The names of the series a query of this metric selects: the metric's
    /// own, or for a histogram its `_bucket`, `_sum` and `_count` series.
    ///
    /// ```
    /// use kvstats_core::PromGauges;
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// assert_eq!(KvStats::METRICS[0].series_suffixes(), [""]);
    /// ```
    pub const fn series_suffixes(&self) -> &'static [&'static str] {
        match self.kind {
            MetricKind::Histogram => &["_bucket", "_sum", "_count"],
            MetricKind::Gauge | MetricKind::Counter => &[""],
        }
    }

    /// The reasons a value of this metric can be left out for (each has its
    /// series in `kvstats_values_dropped_total`): positions or keys past the
    /// cap, values a counter refuses (negative, infinite or NaN), non-finite
    /// observations of a histogram.
    pub fn drop_reasons(&self) -> Vec<crate::cells::Reason> {
        use crate::cells::Reason;
        let mut reasons = Vec::new();
        if !self.labels.is_empty() {
            reasons.push(Reason::OverMax);
        }
        match self.kind {
            MetricKind::Counter => reasons.extend([Reason::Negative, Reason::NotFinite]),
            MetricKind::Histogram => reasons.push(Reason::NotFinite),
            MetricKind::Gauge => {}
        }
        reasons
    }
}

impl MetricDef {
    /// Whether the fleet view has this metric: it aggregates somehow, or is
    /// a ratio, and is not an old name kept for a migration.
    ///
    /// ```
    /// use kvstats_core::PromGauges;
    /// use kvstats_core::dynamo::KvStats;
    ///
    /// assert!(KvStats::METRICS.iter().all(|m| m.is_aggregated()));
    /// ```
    pub fn is_aggregated(&self) -> bool {
        !self.is_deprecated() && (!self.aggregate.is_empty() || self.ratio_of.is_some())
    }
}

/// A stats struct whose fields are exported as Prometheus metrics.
///
/// Implemented by `#[derive(PromGauges)]`; see the crate docs for the attributes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not derive `PromGauges`",
    label = "nested with `#[prom(flatten)]` or published, so it needs `#[derive(PromGauges)]`",
    note = "add `#[derive(PromGauges)]` to `{Self}`, or leave the field out with `#[prom(skip)]`"
)]
pub trait PromGauges: Sized + 'static {
    /// The generated container (`KvStatsGauges` for `KvStats`).
    type Gauges: GaugeGroup<Stats = Self>;
    /// Every metric, in field order, nested groups included.
    const METRICS: &'static [MetricDef];
}

/// A generated container: the values of one stats struct, stored inline.
///
/// Generated containers also have inherent methods of the same names, so
/// calling them needs no import of this trait. Containers are registered with
/// [`MetricsRegistry::register`](crate::MetricsRegistry::register) (which the
/// generated `register` and `register_with_labels` call).
pub trait GaugeGroup: Default + Send + Sync + 'static {
    /// The stats struct this container mirrors.
    type Stats: PromGauges<Gauges = Self>;

    /// Stores every field of `stats`. No lock, no allocation.
    fn update_from(&self, stats: &Self::Stats);

    /// Makes every series of this container absent from the next scrape.
    fn clear(&self);

    /// What the scrape reads for metric `index` of `Stats::METRICS`.
    #[doc(hidden)]
    fn __reading(&self, index: usize) -> Reading<'_>;
}
