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
//! assert_eq!(own::METRICS.len(), 2);
//! ```

use crate::fleet::Aggregation;
use crate::metric::{MetricDef, MetricKind};

/// The struct name the library's own definitions carry.
pub const GROUP: &str = "kvstats_core";

/// Values a producer handed over that were not exported: per metric (its
/// full name in label `metric`) and reason (label `reason`). A bad producer
/// shows up here instead of blowing up the number of series.
///
/// The reasons are those of [`Reason`](crate::Reason): `over_max` (a
/// position or key past a field's `max`), `negative` and `not_finite`
/// (amounts a counter refuses, non-finite observations), and
/// `foreign_conflict` (a family of a `prometheus` collector that clashes with
/// a kvstats family of the same name, left out of a scrape and counted once
/// per scrape, so the exposition stays valid).
pub const DROPPED_VALUES: MetricDef = MetricDef {
    name: "kvstats_values_dropped_total",
    struct_name: GROUP,
    constant: "VALUES_DROPPED_TOTAL",
    field: "dropped_values",
    help: "Values not exported, by metric and reason (over a field's cap, refused by a counter, not finite, or clashing with a kvstats family)",
    kind: MetricKind::Counter,
    labels: &[LABEL_METRIC, LABEL_REASON],
    aggregate: &[Aggregation::Sum],
    ..MetricDef::BLANK
};

/// The label of [`DROPPED_VALUES`] that names the metric a value belonged to.
pub const LABEL_METRIC: &str = "metric";
/// The label of [`DROPPED_VALUES`] that says why a value was dropped.
pub const LABEL_REASON: &str = "reason";
/// Scrapes answered through [`scrape::respond`](crate::scrape::respond)
/// (the bundled server, the tower service, or a handler of your own), by the
/// format (`text` or `openmetrics`) and the encoding (`identity` or `gzip`)
/// of the answer.
pub const SCRAPES: MetricDef = MetricDef {
    name: "kvstats_scrapes_total",
    struct_name: GROUP,
    constant: "SCRAPES_TOTAL",
    field: "scrapes",
    help: "Scrapes answered, by the format and encoding of the answer",
    kind: MetricKind::Counter,
    labels: &[LABEL_ENCODING, LABEL_FORMAT],
    // A scraper's own business: `up` and the scrape duration say more.
    aggregate: &[],
    ..MetricDef::BLANK
};

/// The label of [`SCRAPES`] that names the encoding of the answer.
pub const LABEL_ENCODING: &str = "encoding";
/// The label of [`SCRAPES`] that names the format of the answer.
pub const LABEL_FORMAT: &str = "format";

/// Whether `def` belongs to a whole registry rather than to a registration:
/// its series carry its own labels only (the scrape counter), not those of a
/// registry level or a registration.
///
/// ```
/// use kvstats_core::own;
///
/// assert!(own::is_registry_wide(&own::SCRAPES));
/// assert!(!own::is_registry_wide(&own::DROPPED_VALUES));
/// ```
pub fn is_registry_wide(def: &MetricDef) -> bool {
    def.struct_name == GROUP && def.name == SCRAPES.name
}

/// Every metric of the library itself.
pub const METRICS: &[MetricDef] = &[DROPPED_VALUES, SCRAPES];
