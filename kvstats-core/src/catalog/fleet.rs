//! The fleet view of a catalog, computed once for every format that shows
//! it (the rule file, its promtool tests, the dashboard's fleet row, the
//! Markdown): which series the recording rules make, at which level, from
//! what, and the alerting rules.
//!
//! Two levels. The registry level (`dynamo_component`, the name of the
//! catalog's last automatic label) is evaluated where the workers are
//! scraped: it aggregates raw series `by` the automatic labels and the
//! metric's own series labels, so instances (`dp_rank`, `instance`, `job`)
//! are summed away. The `fleet` level aggregates the registry level's
//! recorded series the same way, which also sums away the external labels
//! of the Prometheus servers that recorded them: on a global Prometheus that
//! federates them, or on a query layer over remote-write stores, it is the
//! whole fleet; on a single Prometheus it equals the registry level. Every
//! fleet series is computed from sums, maxima and minima, never from
//! averages of averages or of ratios, so it is right at any level.

use super::{Catalog, Entry};
use crate::fleet::{Aggregation, Condition};
use crate::metric::MetricKind;

/// The window of every `rate` the rules take. Five minutes covers at least
/// four samples at the default scrape intervals (up to one minute).
pub(crate) const RATE_WINDOW: &str = "5m";
/// The quantiles recorded for each histogram, as their label spells them.
pub(crate) const QUANTILES: [&str; 3] = ["0.5", "0.9", "0.99"];
/// The name of the level over every Prometheus.
pub(crate) const FLEET: &str = "fleet";
/// How far back an absent alert looks for instances that had series.
pub(crate) const ABSENT_LOOKBACK: &str = "1h";
/// The labels Prometheus adds to each scraped series, which an absent alert
/// names the instance by.
pub(crate) const SCRAPE_LABELS: [&str; 2] = ["job", "instance"];

/// How a recorded series combines its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Sum,
    Max,
    Min,
    Avg,
    /// The number of instances, beside an average so that the fleet level
    /// can weight it.
    Count,
}

impl Op {
    fn of(aggregation: Aggregation) -> Op {
        match aggregation {
            Aggregation::Sum => Op::Sum,
            Aggregation::Max => Op::Max,
            Aggregation::Min => Op::Min,
            Aggregation::Avg => Op::Avg,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Sum => "sum",
            Op::Max => "max",
            Op::Min => "min",
            Op::Avg => "avg",
            Op::Count => "count",
        }
    }
}

/// What a recorded series holds for one group of its labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    /// `op` over the instances' values of entry `metric` (a counter's: their
    /// per-second rates).
    Of { metric: usize, op: Op },
    /// Entry `metric`, a ratio: the sum of entry `numerator`'s values (or
    /// rates) over the sum of entry `denominator`'s.
    Ratio {
        metric: usize,
        numerator: usize,
        denominator: usize,
    },
    /// The per-second rate of each bucket of histogram `metric`, summed.
    BucketRates { metric: usize },
    /// Quantile `q` of histogram `metric`, from its summed bucket rates.
    Quantile { metric: usize, q: &'static str },
}

/// Which level a recording rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// From raw series, where they are scraped.
    Registry,
    /// From the registry level's recorded series, over every Prometheus.
    Fleet,
}

/// One recording rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub(crate) level: Level,
    pub(crate) name: String,
    pub(crate) expr: String,
    /// Labels the rule sets (a quantile's `quantile`).
    pub(crate) labels: Vec<(&'static str, String)>,
    pub(crate) value: Value,
    /// The labels the result is grouped by (`le` aside).
    pub(crate) by: Vec<String>,
    /// The entry it shows, for the dashboard and the Markdown.
    pub(crate) entry: usize,
}

/// One alerting rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Alert {
    pub(crate) name: &'static str,
    pub(crate) expr: String,
    pub(crate) hold: &'static str,
    pub(crate) severity: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) description: String,
    pub(crate) condition: Condition,
    pub(crate) entry: usize,
    /// The labels an absent alert groups by (job, instance and the automatic
    /// labels); a threshold alert keeps each series' own.
    pub(crate) by: Vec<String>,
}

/// The fleet view of a catalog.
pub(crate) struct Plan {
    /// The registry level's name, the first part of its recorded names.
    pub(crate) level: String,
    pub(crate) records: Vec<Record>,
    pub(crate) alerts: Vec<Alert>,
}

impl Plan {
    pub(crate) fn new(catalog: &Catalog, entries: &[Entry]) -> Plan {
        let fixed: Vec<String> = match catalog.fixed_labels() {
            [] => vec!["job".to_owned()],
            labels => labels.iter().map(|(k, _)| k.clone()).collect(),
        };
        let level = fixed.last().cloned().unwrap_or_default();
        let mut plan = Plan {
            level,
            records: Vec::new(),
            alerts: Vec::new(),
        };
        for (index, entry) in entries.iter().enumerate() {
            if entry.registry_wide {
                continue;
            }
            let by: Vec<String> = fixed
                .iter()
                .cloned()
                .chain(entry.series_labels.iter().map(|l| (*l).to_owned()))
                .collect();
            plan.aggregations(entries, index, &by);
            for alert in entry.alerts {
                plan.alerts.push(alert_rule(entry, index, alert, &fixed));
            }
        }
        let fleet: Vec<Record> = plan
            .records
            .iter()
            .map(|r| plan.fleet_record(entries, r))
            .collect();
        plan.records.extend(fleet);
        plan
    }

    /// The registry level's records of entry `index`.
    fn aggregations(&mut self, entries: &[Entry], index: usize, by: &[String]) {
        let entry = &entries[index];
        match entry.kind {
            MetricKind::Histogram if !entry.aggregate.is_empty() => {
                self.push(entries, Value::BucketRates { metric: index }, by, index);
                for q in QUANTILES {
                    self.push(entries, Value::Quantile { metric: index, q }, by, index);
                }
            }
            MetricKind::Histogram => {}
            MetricKind::Gauge | MetricKind::Counter => {
                for &aggregation in entry.aggregate {
                    let op = Op::of(aggregation);
                    self.push(entries, Value::Of { metric: index, op }, by, index);
                    if op == Op::Avg {
                        let count = Value::Of {
                            metric: index,
                            op: Op::Count,
                        };
                        self.push(entries, count, by, index);
                    }
                }
            }
        }
        if let Some((numerator, denominator)) = &entry.ratio_of {
            let find = |name: &str| entries.iter().position(|e| e.name == name);
            if let (Some(numerator), Some(denominator)) = (find(numerator), find(denominator)) {
                // The fleet level divides the sums of both parts.
                for part in [numerator, denominator] {
                    let sum = Value::Of {
                        metric: part,
                        op: Op::Sum,
                    };
                    self.push(entries, sum, by, part);
                }
                let ratio = Value::Ratio {
                    metric: index,
                    numerator,
                    denominator,
                };
                self.push(entries, ratio, by, index);
            }
        }
    }

    /// Adds a registry-level record, unless one of the same name and
    /// labels is there.
    fn push(&mut self, entries: &[Entry], value: Value, by: &[String], entry: usize) {
        let record = Record {
            level: Level::Registry,
            name: self.record_name(entries, Level::Registry, value),
            expr: self.registry_expr(entries, value, by),
            labels: rule_labels(value),
            value,
            by: by.to_vec(),
            entry,
        };
        if !self
            .records
            .iter()
            .any(|r| r.name == record.name && r.labels == record.labels)
        {
            self.records.push(record);
        }
    }

    /// `level:metric:operations`, as Prometheus' naming convention has it:
    /// a counter's metric loses `_total`, and its operations say the rate.
    pub(crate) fn record_name(&self, entries: &[Entry], level: Level, value: Value) -> String {
        let level = match level {
            Level::Registry => self.level.as_str(),
            Level::Fleet => FLEET,
        };
        let rate = format!("rate{RATE_WINDOW}");
        match value {
            Value::Of { metric, op } => {
                let entry = &entries[metric];
                let operations = match (entry.kind, op) {
                    (MetricKind::Counter, Op::Sum) => rate,
                    (MetricKind::Counter, op) => format!("{}_{rate}", op.name()),
                    (_, op) => op.name().to_owned(),
                };
                format!("{level}:{}:{operations}", metric_part(entry))
            }
            Value::Ratio {
                metric, numerator, ..
            } => {
                let operations = match entries[numerator].kind {
                    MetricKind::Counter => format!("ratio_{rate}"),
                    _ => "ratio".to_owned(),
                };
                format!("{level}:{}:{operations}", metric_part(&entries[metric]))
            }
            Value::BucketRates { metric } => {
                format!("{level}:{}_bucket:{rate}", entries[metric].base_name)
            }
            Value::Quantile { metric, .. } => {
                format!("{level}:{}:histogram_quantile", entries[metric].base_name)
            }
        }
    }

    fn registry_expr(&self, entries: &[Entry], value: Value, by: &[String]) -> String {
        let by_labels = by.join(", ");
        let input = |metric: usize| {
            let entry = &entries[metric];
            match entry.kind {
                MetricKind::Counter => format!("rate({}[{RATE_WINDOW}])", entry.name),
                _ => entry.name.clone(),
            }
        };
        match value {
            Value::Of { metric, op } => {
                format!("{} by ({by_labels}) ({})", op.name(), input(metric))
            }
            Value::Ratio {
                numerator,
                denominator,
                ..
            } => format!(
                "sum by ({by_labels}) ({}) / sum by ({by_labels}) ({})",
                input(numerator),
                input(denominator)
            ),
            Value::BucketRates { metric } => format!(
                "sum by ({by_labels}, le) (rate({}_bucket[{RATE_WINDOW}]))",
                entries[metric].name
            ),
            Value::Quantile { metric, q } => format!(
                "histogram_quantile({q}, {})",
                self.record_name(entries, Level::Registry, Value::BucketRates { metric })
            ),
        }
    }

    /// The fleet level's record of a registry-level one.
    fn fleet_record(&self, entries: &[Entry], registry: &Record) -> Record {
        let by = registry.by.join(", ");
        let below = |value| self.record_name(entries, Level::Registry, value);
        let expr = match registry.value {
            Value::Of { metric, op } => {
                let recorded = below(registry.value);
                match op {
                    Op::Sum | Op::Count => format!("sum by ({by}) ({recorded})"),
                    Op::Max | Op::Min => format!("{} by ({by}) ({recorded})", op.name()),
                    // The mean of each server's mean, weighted by its count.
                    Op::Avg => {
                        let count = below(Value::Of {
                            metric,
                            op: Op::Count,
                        });
                        format!("sum by ({by}) ({recorded} * {count}) / sum by ({by}) ({count})")
                    }
                }
            }
            Value::Ratio {
                numerator,
                denominator,
                ..
            } => {
                let sum = |metric| {
                    below(Value::Of {
                        metric,
                        op: Op::Sum,
                    })
                };
                format!(
                    "sum by ({by}) ({}) / sum by ({by}) ({})",
                    sum(numerator),
                    sum(denominator)
                )
            }
            Value::BucketRates { .. } => {
                format!("sum by ({by}, le) ({})", below(registry.value))
            }
            Value::Quantile { metric, q } => format!(
                "histogram_quantile({q}, {})",
                self.record_name(entries, Level::Fleet, Value::BucketRates { metric })
            ),
        };
        Record {
            level: Level::Fleet,
            name: self.record_name(entries, Level::Fleet, registry.value),
            expr,
            ..registry.clone()
        }
    }
}

/// The metric part of a recorded name: the name without the root prefix, a
/// counter's without `_total`.
fn metric_part(entry: &Entry) -> &str {
    match entry.kind {
        MetricKind::Counter => entry
            .base_name
            .strip_suffix("_total")
            .unwrap_or(entry.base_name),
        _ => entry.base_name,
    }
}

fn rule_labels(value: Value) -> Vec<(&'static str, String)> {
    match value {
        Value::Quantile { q, .. } => vec![("quantile", q.to_owned())],
        _ => Vec::new(),
    }
}

fn alert_rule(
    entry: &Entry,
    index: usize,
    alert: &crate::fleet::AlertDef,
    fixed: &[String],
) -> Alert {
    let series = entry.count_series();
    let value = match entry.kind {
        MetricKind::Counter => format!("rate({series}[{RATE_WINDOW}])"),
        _ => series.clone(),
    };
    let by: Vec<String> = SCRAPE_LABELS
        .iter()
        .map(|l| (*l).to_owned())
        .chain(fixed.iter().filter(|l| *l != "job").cloned())
        .collect();
    let expr = match alert.condition {
        Condition::Above(x) => format!("{value} > {}", number(x)),
        Condition::Below(x) => format!("{value} < {}", number(x)),
        Condition::Absent => {
            let group = format!("group by ({})", by.join(", "));
            format!(
                "{group} (present_over_time({series}[{ABSENT_LOOKBACK}])) unless {group} ({series})"
            )
        }
    };
    let description = match alert.condition {
        Condition::Absent => format!(
            "An instance that exported {series} in the last {ABSENT_LOOKBACK} exports it no more: \
             it stopped, or Prometheus cannot scrape it"
        ),
        Condition::Above(_) | Condition::Below(_) => entry.help.to_owned(),
    };
    Alert {
        name: alert.name,
        expr,
        hold: alert.hold,
        severity: alert.severity,
        summary: alert.summary,
        description,
        condition: alert.condition,
        entry: index,
        by,
    }
}

/// A threshold as PromQL reads it.
pub(crate) fn number(x: f64) -> String {
    let mut out = String::new();
    crate::text::write_value(&mut out, x);
    out
}
