//! The fleet view's rules, tested: a `promtool test rules` file that feeds
//! synthetic series of two workers and several ranks through every rule and
//! states what each must give.
//!
//! promtool compares values exactly, so the inputs are chosen for results
//! that every float algorithm Prometheus has used gives to the bit: gauges
//! and per-second rates are integers `60 * (1 + 12 * n)`, whose sums, and
//! means over up to five instances (running means included), are exact;
//! a rate is a counter growing by `60 * r` per minute, which a 5-minute
//! `rate` reads as exactly `r`. A quantile is computed here with the very
//! operations of Prometheus' `histogram_quantile`.
//!
//! Two tests: every recording rule on steady series (registry and fleet
//! levels agree on one Prometheus); then every alert, with one instance
//! above each `above` threshold, one below each `below`, and a stopped
//! worker for each `absent` alert.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::fleet::{Op, Plan, Value, ABSENT_LOOKBACK};
use super::yaml::{comment, field, key, quoted};
use super::{slug, Catalog, Entry, GENERATED};
use crate::fleet::Condition;
use crate::metric::MetricKind;

/// The scrape job of every input series.
const JOB: &str = "kvstats";
/// Workers of the test, as `instance` names them.
const WORKERS: [&str; 3] = ["worker-1:8081", "worker-2:8081", "worker-3:8081"];
/// The worker that stops in the alerts test.
const STOPPED: &str = WORKERS[1];
/// The values each of a metric's own labels takes.
const SERIES_VALUES: [&str; 2] = ["a", "b"];
/// Minutes of input of the recording-rules test, and when it is evaluated.
const STEPS: u32 = 15;
const EVAL_MINUTES: u32 = 10;
/// When a stopped worker's last sample is, in minutes.
const STOP_MINUTES: u32 = 2;

pub(super) fn render(catalog: &Catalog) -> String {
    let entries = catalog.entries();
    let plan = Plan::new(catalog, &entries);
    let fixture = Fixture::new(catalog);
    let mut out = String::new();
    comment(&mut out, 0, GENERATED);
    comment(
        &mut out,
        0,
        &format!(
            "Run it with `promtool test rules` beside {}.rules.yml (the `rules` format).",
            slug(catalog.title())
        ),
    );
    key(&mut out, 0, "rule_files");
    let _ = writeln!(
        out,
        "  - {}",
        quoted(&format!("{}.rules.yml", slug(catalog.title())))
    );
    field(&mut out, 0, "evaluation_interval", "1m");
    key(&mut out, 0, "tests");
    if !plan.records.is_empty() {
        recording_test(&mut out, &entries, &plan, &fixture);
    }
    if !plan.alerts.is_empty() {
        alerts_test(&mut out, &entries, &plan, &fixture);
    }
    if plan.records.is_empty() && plan.alerts.is_empty() {
        out.truncate(out.len() - "tests:\n".len());
        out.push_str("tests: []\n");
    }
    out
}

/// One instance of the test: a worker and, when the catalog has
/// per-registration labels, a rank.
struct Instance {
    worker: &'static str,
    labels: Vec<(String, String)>,
}

/// The instances and labels every input series is built from.
struct Fixture {
    fixed: Vec<(String, String)>,
    instances: Vec<Instance>,
}

impl Fixture {
    /// Two workers with two and three ranks, or three workers when
    /// registrations set no labels of their own.
    fn new(catalog: &Catalog) -> Fixture {
        let ranked = !catalog.instance_labels().is_empty();
        let layout: Vec<(&'static str, Option<&str>)> = if ranked {
            vec![
                (WORKERS[0], Some("0")),
                (WORKERS[0], Some("1")),
                (WORKERS[1], Some("0")),
                (WORKERS[1], Some("1")),
                (WORKERS[1], Some("2")),
            ]
        } else {
            WORKERS.iter().map(|w| (*w, None)).collect()
        };
        let instances = layout
            .into_iter()
            .map(|(worker, rank)| Instance {
                worker,
                labels: catalog
                    .instance_labels()
                    .iter()
                    .map(|l| (l.clone(), rank.unwrap_or_default().to_owned()))
                    .collect(),
            })
            .collect();
        Fixture {
            fixed: catalog.fixed_labels().to_vec(),
            instances,
        }
    }

    /// The labels of instance `k`'s series of `entry` for `combo` (values of
    /// the metric's own labels), scrape labels included.
    fn series_labels(&self, k: usize, combo: &[(&str, &str)]) -> Vec<(String, String)> {
        let instance = &self.instances[k];
        let mut labels = self.fixed.clone();
        labels.push(("job".to_owned(), JOB.to_owned()));
        labels.push(("instance".to_owned(), instance.worker.to_owned()));
        labels.extend(instance.labels.iter().cloned());
        labels.extend(
            combo
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        labels
    }

    /// The labels a rule grouped `by` keeps, for `combo`.
    fn group_labels(&self, by: &[String], combo: &[(&str, &str)]) -> Vec<(String, String)> {
        by.iter()
            .map(|name| {
                let value = self
                    .fixed
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
                    .or_else(|| combo.iter().find(|(k, _)| k == name).map(|(_, v)| *v))
                    .unwrap_or(JOB);
                (name.clone(), value.to_owned())
            })
            .collect()
    }
}

/// Every combination of values of `entry`'s own labels (one empty
/// combination when it has none).
fn combos(entry: &Entry) -> Vec<Vec<(&'static str, &'static str)>> {
    let mut out: Vec<Vec<(&'static str, &'static str)>> = vec![Vec::new()];
    for label in entry.series_labels {
        out = out
            .into_iter()
            .flat_map(|combo| {
                SERIES_VALUES.iter().map(move |v| {
                    let mut next = combo.clone();
                    next.push((*label, *v));
                    next
                })
            })
            .collect();
    }
    out
}

/// A gauge's value, or a counter's per-second rate, for instance `k` of
/// entry `metric`, combination `c`: `60 * (1 + 12 * n)` (see the module docs).
fn steady(metric: usize, k: usize, c: usize) -> f64 {
    (60 * (1 + 12 * (metric + k + c))) as f64
}

/// The bucket a histogram's observations fall in: the second, or the only one.
fn observed_bucket(entry: &Entry) -> usize {
    entry.buckets.len().saturating_sub(1).min(1)
}

fn recording_test(out: &mut String, entries: &[Entry], plan: &Plan, fixture: &Fixture) {
    comment(
        out,
        2,
        &format!(
            "Every recording rule, on steady series of {} instances of {} workers.",
            fixture.instances.len(),
            fixture
                .instances
                .iter()
                .map(|i| i.worker)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        ),
    );
    let _ = writeln!(out, "  - interval: {}", quoted("1m"));
    key(out, 4, "input_series");
    let used: std::collections::BTreeSet<usize> =
        plan.records.iter().flat_map(|r| inputs(r.value)).collect();
    for &metric in &used {
        let entry = &entries[metric];
        for (c, combo) in combos(entry).iter().enumerate() {
            for k in 0..fixture.instances.len() {
                let labels = fixture.series_labels(k, combo);
                let v = steady(metric, k, c);
                for (name, extra, values) in samples_of(entry, v, STEPS) {
                    let mut labels = labels.clone();
                    labels.extend(extra);
                    input(out, &name, &labels, &values);
                }
            }
        }
    }
    key(out, 4, "promql_expr_test");
    let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for record in &plan.records {
        let entry = &entries[record.entry];
        let samples = by_name.entry(&record.name).or_insert_with(|| {
            order.push(&record.name);
            Vec::new()
        });
        for (c, combo) in combos(entry).iter().enumerate() {
            let mut labels = fixture.group_labels(&record.by, combo);
            labels.extend(
                record
                    .labels
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone())),
            );
            let everyone: Vec<usize> = (0..fixture.instances.len()).collect();
            for (extra, value) in expected(entries, record.value, &everyone, c) {
                let mut labels = labels.clone();
                labels.extend(extra);
                samples.push(sample(&record.name, &labels, value));
            }
        }
    }
    for name in order {
        expr_test(out, name, EVAL_MINUTES, &by_name[name]);
    }
}

/// The entries a record reads.
fn inputs(value: Value) -> Vec<usize> {
    match value {
        Value::Of { metric, .. }
        | Value::BucketRates { metric }
        | Value::Quantile { metric, .. } => {
            vec![metric]
        }
        Value::Ratio {
            numerator,
            denominator,
            ..
        } => vec![numerator, denominator],
    }
}

/// Label names and values.
type Labels = Vec<(String, String)>;

/// The series of one instance of `entry` with value (or rate) `v`: name,
/// extra labels, and promtool's expanding notation for `steps` minutes.
fn samples_of(entry: &Entry, v: f64, steps: u32) -> Vec<(String, Labels, String)> {
    let steady = |v: f64| format!("{}+0x{steps}", super::fleet::number(v));
    let growing = |rate: f64| format!("0+{}x{steps}", super::fleet::number(rate * 60.0));
    match entry.kind {
        MetricKind::Gauge => vec![(entry.name.clone(), Vec::new(), steady(v))],
        MetricKind::Counter => vec![(entry.name.clone(), Vec::new(), growing(v))],
        MetricKind::Histogram => {
            let at = observed_bucket(entry);
            let mut out: Vec<_> = entry
                .buckets
                .iter()
                .enumerate()
                .map(|(i, le)| {
                    let rate = if i >= at { v } else { 0.0 };
                    (
                        format!("{}_bucket", entry.name),
                        vec![("le".to_owned(), le.clone())],
                        growing(rate),
                    )
                })
                .collect();
            out.push((
                format!("{}_bucket", entry.name),
                vec![("le".to_owned(), "+Inf".to_owned())],
                growing(v),
            ));
            out.push((format!("{}_sum", entry.name), Vec::new(), growing(v)));
            out.push((format!("{}_count", entry.name), Vec::new(), growing(v)));
            out
        }
    }
}

/// What a record holds over `instances` for combination `c`: one value, or
/// one per `le` for bucket rates.
fn expected(
    entries: &[Entry],
    value: Value,
    instances: &[usize],
    c: usize,
) -> Vec<(Vec<(String, String)>, f64)> {
    let values =
        |metric: usize| -> Vec<f64> { instances.iter().map(|&k| steady(metric, k, c)).collect() };
    let sum = |metric: usize| -> f64 { values(metric).iter().sum() };
    match value {
        Value::Of { metric, op } => {
            let v = values(metric);
            let result = match op {
                Op::Sum => v.iter().sum(),
                Op::Max => v.iter().copied().fold(f64::MIN, f64::max),
                Op::Min => v.iter().copied().fold(f64::MAX, f64::min),
                Op::Avg => v.iter().sum::<f64>() / v.len() as f64,
                Op::Count => v.len() as f64,
            };
            vec![(Vec::new(), result)]
        }
        Value::Ratio {
            numerator,
            denominator,
            ..
        } => vec![(Vec::new(), sum(numerator) / sum(denominator))],
        Value::BucketRates { metric } => {
            let entry = &entries[metric];
            let at = observed_bucket(entry);
            let total = sum(metric);
            entry
                .buckets
                .iter()
                .enumerate()
                .map(|(i, le)| {
                    (
                        vec![("le".to_owned(), le.clone())],
                        if i >= at { total } else { 0.0 },
                    )
                })
                .chain([(vec![("le".to_owned(), "+Inf".to_owned())], total)])
                .collect()
        }
        Value::Quantile { metric, q } => {
            let entry = &entries[metric];
            let bounds: Vec<f64> = entry
                .buckets
                .iter()
                .filter_map(|b| b.parse().ok())
                .collect();
            let q: f64 = q.parse().unwrap_or(0.5);
            vec![(
                Vec::new(),
                quantile(q, &bounds, observed_bucket(entry), sum(metric)),
            )]
        }
    }
}

/// Prometheus' `histogram_quantile` (`bucketQuantile`) for buckets that are
/// empty below bucket `at` and hold `total` from it on, with its operations
/// in its order, so the result is the same to the bit.
fn quantile(q: f64, bounds: &[f64], at: usize, total: f64) -> f64 {
    let rank = q * total;
    // The first bucket whose cumulative count reaches the rank.
    let b = if rank <= 0.0 { 0 } else { at };
    if b == bounds.len() {
        return bounds[bounds.len() - 1];
    }
    if b == 0 && bounds[0] <= 0.0 {
        return bounds[0];
    }
    let (start, count, rank) = if b > 0 {
        // Every bucket below `at` is empty.
        (bounds[b - 1], total - 0.0, rank - 0.0)
    } else {
        (0.0, total, rank)
    };
    start + (bounds[b] - start) * (rank / count)
}

fn alerts_test(out: &mut String, entries: &[Entry], plan: &Plan, fixture: &Fixture) {
    let hold_minutes = plan
        .alerts
        .iter()
        .map(|a| seconds(a.hold).div_ceil(60) as u32)
        .max()
        .unwrap_or(0);
    let eval = STOP_MINUTES + 1 + hold_minutes + 1;
    let steps = eval + 1;
    comment(
        out,
        2,
        &format!(
            "Every alert: one instance over each `above` threshold, one under each `below`, \
             and {STOPPED} stopped\nafter {STOP_MINUTES} minutes (its last sample {ABSENT_LOOKBACK} \
             back at most is what an absent alert looks for)."
        ),
    );
    let _ = writeln!(out, "  - interval: {}", quoted("1m"));
    key(out, 4, "input_series");
    let hot = 0;
    let cold = fixture
        .instances
        .iter()
        .rposition(|i| i.worker != STOPPED)
        .unwrap_or(0);
    let mut skipped = Vec::new();
    let mut roles: BTreeMap<usize, Roles> = BTreeMap::new();
    for alert in &plan.alerts {
        roles
            .entry(alert.entry)
            .or_insert_with(|| Roles::new(entries, alert.entry, plan));
    }
    for (&metric, role) in &roles {
        let entry = &entries[metric];
        for combo in combos(entry) {
            for (k, instance) in fixture.instances.iter().enumerate() {
                let v = if k == hot && role.hot.is_some() {
                    role.hot.unwrap_or_default()
                } else if k == cold && role.cold.is_some() {
                    role.cold.unwrap_or_default()
                } else {
                    role.normal
                };
                let labels = fixture.series_labels(k, &combo);
                for (name, extra, values) in samples_of(entry, v, steps) {
                    let mut labels = labels.clone();
                    labels.extend(extra);
                    let values = if instance.worker == STOPPED {
                        stopped(&values)
                    } else {
                        values
                    };
                    input(out, &name, &labels, &values);
                }
            }
        }
    }
    key(out, 4, "promql_expr_test");
    let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut order = Vec::new();
    for alert in &plan.alerts {
        let entry = &entries[alert.entry];
        let role = &roles[&alert.entry];
        let samples = by_name.entry(alert.name).or_insert_with(|| {
            order.push(alert.name);
            Vec::new()
        });
        let firing = |labels: Vec<(String, String)>| {
            let mut labels = labels;
            labels.push(("alertname".to_owned(), alert.name.to_owned()));
            labels.push(("alertstate".to_owned(), "firing".to_owned()));
            labels.push(("severity".to_owned(), alert.severity.to_owned()));
            sample("ALERTS", &labels, 1.0)
        };
        let instance = match alert.condition {
            Condition::Above(_) if role.hot.is_some() => Some(hot),
            Condition::Below(_) if role.cold.is_some() => Some(cold),
            Condition::Absent => None,
            _ => {
                skipped.push(alert.name);
                continue;
            }
        };
        match instance {
            Some(k) => {
                for combo in combos(entry) {
                    samples.push(firing(fixture.series_labels(k, &combo)));
                }
            }
            None => {
                let labels = alert
                    .by
                    .iter()
                    .map(|name| {
                        let value = match name.as_str() {
                            "instance" => STOPPED.to_owned(),
                            "job" => JOB.to_owned(),
                            other => fixture
                                .fixed
                                .iter()
                                .find(|(k, _)| k == other)
                                .map(|(_, v)| v.clone())
                                .unwrap_or_default(),
                        };
                        (name.clone(), value)
                    })
                    .collect();
                samples.push(firing(labels));
            }
        }
    }
    for name in order {
        if skipped.contains(&name) && by_name[name].is_empty() {
            comment(
                out,
                6,
                &format!("{name}: no input can cross its threshold (a rate below 0)"),
            );
            continue;
        }
        let expr = format!("ALERTS{{alertname=\"{name}\",alertstate=\"firing\"}}");
        expr_test(out, &expr, eval, &by_name[name]);
    }
}

/// The values an alert's metric takes: on the hot instance (over every
/// `above` threshold), the cold one (under every `below`), the others.
struct Roles {
    hot: Option<f64>,
    cold: Option<f64>,
    normal: f64,
}

impl Roles {
    fn new(entries: &[Entry], metric: usize, plan: &Plan) -> Roles {
        let entry = &entries[metric];
        let thresholds = |above: bool| -> Vec<f64> {
            plan.alerts
                .iter()
                .filter(|a| a.entry == metric)
                .filter_map(|a| match a.condition {
                    Condition::Above(x) if above => Some(x),
                    Condition::Below(x) if !above => Some(x),
                    _ => None,
                })
                .collect()
        };
        let (above, below) = (thresholds(true), thresholds(false));
        let lowest_above = above.iter().copied().fold(f64::INFINITY, f64::min);
        let highest_below = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let normal = match (above.is_empty(), below.is_empty()) {
            (false, false) => (lowest_above + highest_below) / 2.0,
            // Half the threshold reads as a usual value of a usage or a rate.
            (false, true) if lowest_above > 0.0 => lowest_above / 2.0,
            (false, true) => lowest_above - 1.0,
            (true, false) => highest_below + 1.0,
            (true, true) => 1.0,
        };
        let counter = entry.kind == MetricKind::Counter;
        let fits = |v: f64| (!counter || v >= 0.0).then_some(v);
        let hot = (!above.is_empty())
            .then(|| above.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 1.0)
            .and_then(fits);
        let cold = (!below.is_empty())
            .then(|| below.iter().copied().fold(f64::INFINITY, f64::min) - 1.0)
            .and_then(fits);
        let normal_fits =
            fits(normal).is_some() && (below.is_empty() || highest_below < lowest_above);
        Roles {
            hot: hot.filter(|_| normal_fits),
            cold: cold.filter(|_| normal_fits),
            normal: if normal_fits { normal } else { 1.0 },
        }
    }
}

/// `values` cut after the stopped worker's last sample, then a staleness
/// marker, as Prometheus writes when a target disappears.
fn stopped(values: &str) -> String {
    let (start, rest) = values.split_once('+').unwrap_or((values, "0x0"));
    let step = rest.split_once('x').map_or("0", |(s, _)| s);
    format!("{start}+{step}x{STOP_MINUTES} stale")
}

/// A Prometheus duration in whole seconds (rounded up).
fn seconds(duration: &str) -> u64 {
    let mut total_ms: u64 = 0;
    let mut rest = duration;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n: u64 = rest[..digits].parse().unwrap_or(0);
        rest = &rest[digits..];
        let (unit_ms, len) = match () {
            _ if rest.starts_with("ms") => (1, 2),
            _ if rest.starts_with('s') => (1_000, 1),
            _ if rest.starts_with('m') => (60_000, 1),
            _ if rest.starts_with('h') => (3_600_000, 1),
            _ if rest.starts_with('d') => (86_400_000, 1),
            _ if rest.starts_with('w') => (604_800_000, 1),
            _ if rest.starts_with('y') => (31_536_000_000, 1),
            _ => return total_ms.div_ceil(1000),
        };
        total_ms = total_ms.saturating_add(n.saturating_mul(unit_ms));
        rest = &rest[len..];
    }
    total_ms.div_ceil(1000)
}

fn input(out: &mut String, name: &str, labels: &[(String, String)], values: &str) {
    let _ = writeln!(out, "      - series: {}", quoted(&selector(name, labels)));
    field(out, 8, "values", values);
}

fn sample(name: &str, labels: &[(String, String)], value: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "          - labels: {}",
        quoted(&selector(name, labels))
    );
    let _ = writeln!(out, "            value: {}", super::fleet::number(value));
    out
}

fn expr_test(out: &mut String, expr: &str, minutes: u32, samples: &[String]) {
    let _ = writeln!(out, "      - expr: {}", quoted(expr));
    field(out, 8, "eval_time", &format!("{minutes}m"));
    key(out, 8, "exp_samples");
    for sample in samples {
        out.push_str(sample);
    }
}

/// `name{a="b",..}` with the values escaped as PromQL reads them.
fn selector(name: &str, labels: &[(String, String)]) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{name}{{{}}}", pairs.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_seconds() {
        assert_eq!(seconds("5m"), 300);
        assert_eq!(seconds("1h30m"), 5400);
        assert_eq!(seconds("500ms"), 1);
        assert_eq!(seconds("0s"), 0);
    }

    #[test]
    fn a_stopped_series_ends_with_a_staleness_marker() {
        assert_eq!(stopped("60+0x15"), "60+0x2 stale");
        assert_eq!(stopped("0+120x15"), "0+120x2 stale");
    }

    #[test]
    fn quantiles_interpolate_in_the_observed_bucket() {
        assert_eq!(
            quantile(0.5, &[0.1, 0.5, 1.0], 1, 10.0),
            0.1 + 0.4 * (5.0 / 10.0)
        );
        assert_eq!(quantile(0.5, &[1.0], 0, 4.0), 0.5);
    }
}
