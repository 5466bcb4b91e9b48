//! The library's own metrics: defined as [`MetricDef`]s like every stats
//! struct's, exported by every registry under its root prefix, listed in the
//! catalog, and reserved: a stats struct that exports one of these names is
//! refused at registration.
//!
//! ```
//! use kvstats_core::own;
//!
//! assert_eq!(own::DROPPED_VALUES.name, "kvstats_values_dropped_total");
//! assert_eq!(own::DROPPED_VALUES.labels, ["metric", "reason"]);
//! assert_eq!(own::METRICS.len(), 1);
//! ```

use crate::metric::{MetricDef, MetricKind};

/// The struct name the library's own definitions carry.
pub const GROUP: &str = "kvstats_core";

/// Values a producer handed over that were not exported: per metric (its
/// full name in label `metric`) and reason (label `reason`). A bad producer
/// shows up here instead of blowing up the number of series.
///
/// Reasons: `over_max`, a per-position value past the field's `max`;
/// `foreign_conflict`, a family of a `prometheus` collector that clashes with
/// a kvstats family of the same name (other type, help or labels), left out
/// of a scrape (counted once per scrape) so the exposition stays valid.
pub const DROPPED_VALUES: MetricDef = MetricDef {
    name: "kvstats_values_dropped_total",
    struct_name: GROUP,
    constant: "VALUES_DROPPED_TOTAL",
    field: "dropped_values",
    help: "Values not exported, by metric and reason (over a field's cap, or clashing with a kvstats family)",
    unit: None,
    kind: MetricKind::Counter,
    labels: &[LABEL_METRIC, LABEL_REASON],
    replaced_by: None,
};

/// The label of [`DROPPED_VALUES`] that names the metric a value belonged to.
pub const LABEL_METRIC: &str = "metric";
/// The label of [`DROPPED_VALUES`] that says why a value was dropped.
pub const LABEL_REASON: &str = "reason";
/// The `reason` of a per-position value past the field's `max`.
pub const REASON_OVER_MAX: &str = "over_max";

/// The `reason` of a `prometheus` collector's family (or series) that was
/// left out of a scrape because it clashes with a kvstats family.
pub const REASON_FOREIGN_CONFLICT: &str = "foreign_conflict";

/// Every metric of the library itself.
pub const METRICS: &[MetricDef] = &[DROPPED_VALUES];
