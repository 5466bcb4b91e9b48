//! One row of the catalog: a metric as a scrape shows it.

use super::Catalog;
use crate::group::DROPPED_METRIC;
use crate::metric::MetricDef;

/// The `# HELP` of [`DROPPED_METRIC`]; `tests/catalog_scrape.rs` compares it
/// with what a scrape says.
const DROPPED_HELP: &str =
    "Values of per-position metrics dropped because the vector was longer than the field's max";

/// The group of metrics the registry adds itself rather than a stats struct.
pub(crate) const REGISTRY_GROUP: &str = "Registry";

/// A label of a metric.
///
/// ```
/// use kvstats_core::catalog::Catalog;
/// use kvstats_core::{KvStats, Registry};
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

/// A metric as a scrape shows it.
///
/// ```
/// use kvstats_core::catalog::Catalog;
/// use kvstats_core::{KvStats, Registry};
///
/// let catalog = Catalog::new(&Registry::new()).add::<KvStats>();
/// let usage = &catalog.entries()[2];
/// assert_eq!(usage.name, "dynamo_component_kvstats_gpu_cache_usage_percent");
/// assert_eq!(usage.base_name, "kvstats_gpu_cache_usage_percent");
/// assert_eq!(usage.kind, "gauge");
/// assert_eq!(usage.unit, Some("percent"));
/// assert_eq!(usage.source, "KvStats.gpu_cache_usage_perc");
/// assert_eq!(usage.replaced_by, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The full name, root prefix included.
    pub name: String,
    /// The name without the root prefix: the value of the Rust constant.
    pub base_name: &'static str,
    /// The Prometheus type: `gauge`, or `counter` for the registry's counter.
    pub kind: &'static str,
    /// The unit suffix, if the field declares one.
    pub unit: Option<&'static str>,
    /// Every label of its series: the registry level's, the per-registration
    /// ones, then the metric's own (`position`).
    pub labels: Vec<Label>,
    /// The help text, exactly as in `# HELP`.
    pub help: &'static str,
    /// The stats struct that declares it, or `Registry` for the registry's own.
    pub group: &'static str,
    /// Where the value comes from: `KvStats.kv_active_blocks`.
    pub source: String,
    /// For a deprecated alias, the full name that replaces it.
    pub replaced_by: Option<String>,
}

impl Entry {
    pub(super) fn from_def(catalog: &Catalog, def: &MetricDef) -> Entry {
        Entry {
            name: catalog.full_name(def.name),
            base_name: def.name,
            kind: def.kind.as_str(),
            unit: def.unit,
            labels: catalog.label_names(def.label),
            help: def.help,
            group: def.struct_name,
            source: def.source(),
            replaced_by: def.replaced_by.map(|new| catalog.full_name(new)),
        }
    }

    /// The counter of values dropped past a per-position field's `max`.
    pub(super) fn dropped_positions(catalog: &Catalog) -> Entry {
        Entry {
            name: catalog.full_name(DROPPED_METRIC),
            base_name: DROPPED_METRIC,
            kind: "counter",
            unit: None,
            labels: catalog.label_names(Some("metric")),
            help: DROPPED_HELP,
            group: REGISTRY_GROUP,
            source: format!("{REGISTRY_GROUP} (per-position fields)"),
            replaced_by: None,
        }
    }

    /// The label of this metric that is neither fixed nor per registration:
    /// `position` of a per-position field, `metric` of the dropped counter.
    pub(crate) fn own_label<'a>(&'a self, catalog: &Catalog) -> Option<&'a str> {
        let shared = catalog.fixed_labels.len() + catalog.instance_labels.len();
        self.labels.get(shared).map(|l| l.name.as_str())
    }
}
