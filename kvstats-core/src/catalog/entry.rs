//! One row of the catalog: a metric as a scrape shows it.

use super::Catalog;
use crate::fleet::{Aggregation, AlertDef};
use crate::metric::{MetricDef, MetricKind};

/// The label a histogram's `_bucket` series add: the bucket's upper bound.
///
/// ```
/// assert_eq!(kvstats_core::catalog::BUCKET_LABEL, "le");
/// ```
pub const BUCKET_LABEL: &str = "le";

/// A label of a metric.
///
/// ```
/// use kvstats_core::catalog::Catalog;
/// use kvstats_core::Registry;
/// use kvstats_core::dynamo::KvStats;
///
/// let component = Registry::new().namespace("dynamo")?.component("backend")?;
/// let catalog = Catalog::new(&component).instance_label("dp_rank")?.add::<KvStats>();
/// let labels = &catalog.entries()[0].labels;
/// assert_eq!(labels[0].name, "dynamo_namespace");
/// assert_eq!(labels[0].value.as_deref(), Some("dynamo"));
/// assert_eq!(labels[2].name, "dp_rank");
/// assert_eq!(labels[2].value, None);
/// # Ok::<(), kvstats_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Label {
    /// The label name.
    pub name: String,
    /// The value, when the registry level fixes it; `None` when it varies
    /// (per registration, per position).
    pub value: Option<String>,
}

/// One name a query of a metric selects, with the labels its samples carry:
/// the metric's own name for a gauge or a counter; `_bucket` (with `le`),
/// `_sum` and `_count` for a histogram.
///
/// ```
/// use kvstats_core::catalog::Catalog;
/// use kvstats_core::{PromGauges, Registry};
///
/// #[derive(Default, PromGauges)]
/// #[prom(prefix = "engine")]
/// struct StepStats {
///     /// Time to first token of the requests that got one this step
///     #[prom(histogram(buckets = [0.1, 1]), name = "ttft", unit = "seconds")]
///     ttft: Vec<f64>,
/// }
///
/// let catalog = Catalog::new(&Registry::new()).add::<StepStats>();
/// let series = &catalog.entries()[0].series;
/// let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(
///     names,
///     [
///         "dynamo_component_engine_ttft_seconds_bucket",
///         "dynamo_component_engine_ttft_seconds_sum",
///         "dynamo_component_engine_ttft_seconds_count",
///     ]
/// );
/// // A root registry sets no labels; the `_bucket` series add `le`.
/// assert_eq!(series[0].labels, ["le"]);
/// assert!(series[1].labels.is_empty());
/// assert_eq!(catalog.entries()[0].buckets, ["0.1", "1"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Series {
    /// The full name of the series, root prefix included.
    pub name: String,
    /// Every label name its samples have, in the order of [`Entry::labels`]
    /// (then `le` for a `_bucket` series).
    pub labels: Vec<String>,
}

/// A metric as a scrape shows it.
///
/// ```
/// use kvstats_core::catalog::Catalog;
/// use kvstats_core::{MetricKind, Registry};
/// use kvstats_core::dynamo::KvStats;
///
/// let catalog = Catalog::new(&Registry::new()).add::<KvStats>();
/// let usage = &catalog.entries()[2];
/// assert_eq!(usage.name, "dynamo_component_kvstats_gpu_cache_usage_percent");
/// assert_eq!(usage.base_name, "kvstats_gpu_cache_usage_percent");
/// assert_eq!(usage.kind, MetricKind::Gauge);
/// assert_eq!(usage.unit, Some("percent"));
/// assert_eq!(usage.series.len(), 1);
/// assert_eq!(usage.series[0].name, usage.name);
/// assert_eq!(usage.source, "KvStats.gpu_cache_usage_perc");
/// assert_eq!(usage.replaced_by, None);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Entry {
    /// The full name, root prefix included: the name of the family (a
    /// histogram's series add `_bucket`, `_sum` and `_count`; see [`series`](Self::series)).
    pub name: String,
    /// The name without the root prefix: the value of the Rust constant.
    pub base_name: &'static str,
    /// The Prometheus type: gauge, counter or histogram.
    pub kind: MetricKind,
    /// The unit suffix, if the field declares one.
    pub unit: Option<&'static str>,
    /// Every label of its series: the registry level's, the per-registration
    /// ones, then the metric's own ([`series_labels`](Self::series_labels)).
    /// A histogram's `_bucket` series also have `le`.
    pub labels: Vec<Label>,
    /// The labels the metric itself adds, one series per value: `position`
    /// of a per-position field, the key label of a keyed one (`lora_adapter`),
    /// `metric` and `reason` of the library's counter of dropped values.
    pub series_labels: &'static [&'static str],
    /// For a histogram, its finite bucket bounds as the `le` label spells
    /// them (`"0.1"`, `"1"`), ascending; `+Inf` is implied. Empty for other
    /// kinds.
    pub buckets: Vec<String>,
    /// Whether the field holds the amount since the previous update, which
    /// the counter adds (`#[prom(counter, delta)]`).
    pub delta: bool,
    /// The series a query selects, in the order a scrape writes them.
    pub series: Vec<Series>,
    /// The help text, exactly as in `# HELP`.
    pub help: &'static str,
    /// The stats struct that declares it, or `kvstats_core` for the library's own.
    pub group: &'static str,
    /// Where the value comes from: `KvStats.kv_active_blocks`.
    pub source: String,
    /// For a deprecated alias, the full name that replaces it.
    pub replaced_by: Option<String>,
    /// Whether the metric belongs to the whole registry (the scrape counter):
    /// its series carry only its own labels.
    pub registry_wide: bool,
    /// How the fleet view combines it across instances; empty when it has
    /// none (`aggregate = "none"`, and old names kept for a migration).
    pub aggregate: &'static [Aggregation],
    /// For a ratio (`ratio_of`), the full names of its numerator and
    /// denominator.
    pub ratio_of: Option<(String, String)>,
    /// The alerts declared on it (see [`AlertDef`]).
    pub alerts: &'static [AlertDef],
}

impl Entry {
    pub(super) fn from_def(catalog: &Catalog, def: &MetricDef) -> Entry {
        let name = catalog.full_name(def.name);
        let registry_wide = crate::own::is_registry_wide(def);
        let labels = if registry_wide {
            catalog.own_label_names(def.labels)
        } else {
            catalog.label_names(def.labels)
        };
        let series = def
            .series_suffixes()
            .iter()
            .map(|suffix| {
                let names = labels.iter().map(|l| l.name.clone());
                Series {
                    name: format!("{name}{suffix}"),
                    labels: match *suffix {
                        "_bucket" => names.chain([BUCKET_LABEL.to_owned()]).collect(),
                        _ => names.collect(),
                    },
                }
            })
            .collect();
        Entry {
            name,
            base_name: def.name,
            kind: def.kind,
            unit: def.unit,
            labels,
            series_labels: def.labels,
            buckets: def.buckets.iter().map(|&b| le(b)).collect(),
            delta: def.delta,
            series,
            registry_wide,
            help: def.help,
            group: def.struct_name,
            source: def.source(),
            replaced_by: def.replaced_by.map(|new| catalog.full_name(new)),
            aggregate: if def.is_deprecated() {
                &[]
            } else {
                def.aggregate
            },
            ratio_of: def.ratio_of.filter(|_| !def.is_deprecated()).map(|r| {
                (
                    catalog.full_name(r.numerator),
                    catalog.full_name(r.denominator),
                )
            }),
            alerts: if def.is_deprecated() { &[] } else { def.alerts },
        }
    }

    /// The one series that stands for the metric where any would do (a
    /// dashboard variable's values): the metric's own, or a histogram's
    /// `_count`.
    pub(crate) fn count_series(&self) -> String {
        match self.kind {
            MetricKind::Histogram => format!("{}_count", self.name),
            _ => self.name.clone(),
        }
    }
}

/// A bucket bound as the `le` label spells it.
fn le(bound: f64) -> String {
    let mut out = String::new();
    crate::text::write_value(&mut out, bound);
    out
}
