//! The Prometheus type of a metric, which every other module may name.

/// The Prometheus type of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetricKind {
    /// A value that goes up and down.
    Gauge,
    /// A running total that only goes up (and starts again from 0 when the
    /// process restarts); its name ends in `_total`.
    Counter,
    /// Observations counted into buckets: exported as `_bucket{le=".."}`,
    /// `_sum` and `_count` series.
    Histogram,
}

impl MetricKind {
    /// The word used in `# TYPE` lines.
    ///
    /// ```
    /// use kvstats_core::MetricKind;
    ///
    /// assert_eq!(MetricKind::Counter.as_str(), "counter");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricKind::Gauge => "gauge",
            MetricKind::Counter => "counter",
            MetricKind::Histogram => "histogram",
        }
    }
}
