//! How a metric is read across a fleet: its aggregation over instances
//! ([`Aggregation`], [`RatioOf`]) and the alerts declared on it
//! ([`AlertDef`]). The derive records them in each
//! [`MetricDef`](crate::MetricDef); the catalog's `rules` format turns them
//! into Prometheus recording and alerting rules.
//!
//! ```
//! use kvstats_core::PromGauges;
//! use kvstats_core::dynamo::KvStats;
//! use kvstats_core::fleet::Aggregation;
//!
//! // A count of blocks adds up across ranks and workers ..
//! assert_eq!(KvStats::METRICS[0].aggregate, [Aggregation::Sum]);
//! // .. a usage is the ratio of two sums, and its fullest instance.
//! let usage = &KvStats::METRICS[2];
//! assert_eq!(usage.aggregate, [Aggregation::Max]);
//! assert_eq!(usage.ratio_of.unwrap().numerator, "kvstats_active_blocks");
//! ```

use crate::kind::MetricKind;

/// One way of combining a metric's series across instances (ranks, workers):
/// what `aggregate = ".."` names.
///
/// For a counter each applies to the per-second rate; a histogram takes
/// only [`Sum`](Aggregation::Sum), of its bucket rates, from which the
/// quantiles are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Aggregation {
    /// The total: blocks, slots and requests in use; a counter's rate.
    Sum,
    /// The largest instance's value: the fullest cache, the longest queue.
    Max,
    /// The smallest instance's value: the emptiest cache.
    Min,
    /// The mean over instances, each weighted alike.
    Avg,
}

impl Aggregation {
    /// Every aggregation, in the order rules and catalogs list them.
    pub const ALL: [Aggregation; 4] = [
        Aggregation::Sum,
        Aggregation::Max,
        Aggregation::Min,
        Aggregation::Avg,
    ];

    /// The PromQL operator, and the word of `aggregate = ".."`.
    ///
    /// ```
    /// use kvstats_core::fleet::Aggregation;
    ///
    /// assert_eq!(Aggregation::Max.as_str(), "max");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Max => "max",
            Aggregation::Min => "min",
            Aggregation::Avg => "avg",
        }
    }

    /// The aggregation `aggregate = ".."` names, if any.
    ///
    /// ```
    /// use kvstats_core::fleet::Aggregation;
    ///
    /// assert_eq!(Aggregation::from_name("avg"), Some(Aggregation::Avg));
    /// assert_eq!(Aggregation::from_name("mean"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Aggregation> {
        Aggregation::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// A gauge or counter that is the ratio of two others of the same struct
/// (`#[prom(ratio_of(numerator = "..", denominator = ".."))]`), given as
/// their metric names (without the registry's root prefix).
///
/// Across instances the ratio is `sum(numerator) / sum(denominator)`, which
/// weights each instance by its size; the mean of the per-instance ratios
/// would count a worker with 10 blocks as much as one with 10,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatioOf {
    /// The metric summed above the line.
    pub numerator: &'static str,
    /// The metric summed below the line.
    pub denominator: &'static str,
}

/// When an alert fires.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Condition {
    /// Some series (of a counter: its per-second rate) is above the value.
    Above(f64),
    /// Some series (of a counter: its per-second rate) is below the value.
    Below(f64),
    /// An instance that had series of the metric has none now: it stopped
    /// publishing, or stopped being scraped.
    Absent,
}

/// An alert declared on a field (`#[prom(alert(above = 0.95, ..))]`), or on
/// the struct (`#[prom(alert(absent, ..))]`, recorded on its first metric).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertDef {
    /// The alert's name (`alertname`), in CamelCase.
    pub name: &'static str,
    /// When it fires.
    pub condition: Condition,
    /// How long the condition must hold before the alert fires, as a
    /// Prometheus duration (`5m`); `0s` fires at once.
    pub hold: &'static str,
    /// The `severity` label: `critical`, `warning` or `info`.
    pub severity: &'static str,
    /// The `summary` annotation; may use `{{ $labels.x }}` and `{{ $value }}`.
    pub summary: &'static str,
}

/// The severities an alert may have, most urgent first.
pub const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

/// The aggregations a metric gets when its field says nothing: a counter
/// and a histogram are summed (rates, bucket rates); a ratio of two metrics
/// is computed from their sums and keeps its fullest instance; a gauge of a
/// count or of bytes is summed; any other gauge with a unit (`percent`,
/// `ratio`, `seconds`, `celsius`, ..) is averaged and keeps its largest.
///
/// ```
/// use kvstats_core::MetricKind;
/// use kvstats_core::fleet::{default_aggregations, Aggregation};
///
/// assert_eq!(default_aggregations(MetricKind::Gauge, None, false), [Aggregation::Sum]);
/// assert_eq!(
///     default_aggregations(MetricKind::Gauge, Some("percent"), false),
///     [Aggregation::Avg, Aggregation::Max]
/// );
/// ```
pub const fn default_aggregations(
    kind: MetricKind,
    unit: Option<&str>,
    ratio: bool,
) -> &'static [Aggregation] {
    match kind {
        MetricKind::Counter | MetricKind::Histogram => &[Aggregation::Sum],
        MetricKind::Gauge if ratio => &[Aggregation::Max],
        MetricKind::Gauge => match unit {
            None => &[Aggregation::Sum],
            Some(unit) if crate::text::str_eq(unit, "bytes") => &[Aggregation::Sum],
            Some(_) => &[Aggregation::Avg, Aggregation::Max],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Aggregation::ALL {
            assert_eq!(Aggregation::from_name(a.as_str()), Some(a));
        }
    }

    #[test]
    fn defaults_follow_kind_unit_and_ratio() {
        use Aggregation::*;
        let cases: [(MetricKind, Option<&str>, bool, &[Aggregation]); 7] = [
            (MetricKind::Gauge, None, false, &[Sum]),
            (MetricKind::Gauge, Some("bytes"), false, &[Sum]),
            (MetricKind::Gauge, Some("byte"), false, &[Avg, Max]),
            (MetricKind::Gauge, Some("seconds"), false, &[Avg, Max]),
            (MetricKind::Gauge, Some("percent"), true, &[Max]),
            (MetricKind::Counter, Some("seconds"), false, &[Sum]),
            (MetricKind::Histogram, Some("seconds"), false, &[Sum]),
        ];
        for (kind, unit, ratio, expected) in cases {
            assert_eq!(
                default_aggregations(kind, unit, ratio),
                expected,
                "{kind:?} {unit:?} {ratio}"
            );
        }
    }
}
