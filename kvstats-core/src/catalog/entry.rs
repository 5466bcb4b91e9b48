//! One row of the catalog: a metric as a scrape shows it.

use super::Catalog;
use crate::metric::MetricDef;

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

/// A metric as a scrape shows it.
///
/// ```
/// use kvstats_core::catalog::Catalog;
/// use kvstats_core::Registry;
/// use kvstats_core::dynamo::KvStats;
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
    /// The Prometheus type: `gauge` or `counter`.
    pub kind: &'static str,
    /// The unit suffix, if the field declares one.
    pub unit: Option<&'static str>,
    /// Every label of its series: the registry level's, the per-registration
    /// ones, then the metric's own (`position`).
    pub labels: Vec<Label>,
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
}

impl Entry {
    pub(super) fn from_def(catalog: &Catalog, def: &MetricDef) -> Entry {
        Entry {
            name: catalog.full_name(def.name),
            base_name: def.name,
            kind: def.kind.as_str(),
            unit: def.unit,
            labels: if crate::own::is_registry_wide(def) {
                catalog.own_label_names(def.labels)
            } else {
                catalog.label_names(def.labels)
            },
            registry_wide: crate::own::is_registry_wide(def),
            help: def.help,
            group: def.struct_name,
            source: def.source(),
            replaced_by: def.replaced_by.map(|new| catalog.full_name(new)),
        }
    }

    /// The labels of this metric that are neither fixed nor per registration:
    /// `position` of a per-position field, `metric` and `reason` of the
    /// library's counter of dropped values.
    pub(crate) fn own_labels(&self, catalog: &Catalog) -> impl Iterator<Item = &str> {
        let shared = if self.registry_wide {
            0
        } else {
            catalog.fixed_labels.len() + catalog.instance_labels.len()
        };
        self.labels[shared.min(self.labels.len())..]
            .iter()
            .map(|l| l.name.as_str())
    }
}
