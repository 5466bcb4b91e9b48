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

mod alerts;
mod fixture;
mod recording;

use std::fmt::Write as _;

use super::yaml::{comment, field, key, quoted};
use super::{fleet::Plan, slug, Catalog, Entry, GENERATED};
use crate::metric::MetricKind;
use fixture::Fixture;

/// The scrape job of every input series.
pub(super) const JOB: &str = "kvstats";
/// Workers of the test, as `instance` names them.
pub(super) const WORKERS: [&str; 3] = ["worker-1:8081", "worker-2:8081", "worker-3:8081"];
/// The worker that stops in the alerts test.
pub(super) const STOPPED: &str = WORKERS[1];
/// The values each of a metric's own labels takes.
pub(super) const SERIES_VALUES: [&str; 2] = ["a", "b"];
/// Minutes of input of the recording-rules test, and when it is evaluated.
pub(super) const STEPS: u32 = 15;
pub(super) const EVAL_MINUTES: u32 = 10;
/// When a stopped worker's last sample is, in minutes.
pub(super) const STOP_MINUTES: u32 = 2;

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
        recording::test(&mut out, &entries, &plan, &fixture);
    }
    if !plan.alerts.is_empty() {
        alerts::test(&mut out, &entries, &plan, &fixture);
    }
    if plan.records.is_empty() && plan.alerts.is_empty() {
        out.truncate(out.len() - "tests:\n".len());
        out.push_str("tests: []\n");
    }
    out
}

/// Every combination of values of `entry`'s own labels (one empty
/// combination when it has none).
pub(super) fn combos(entry: &Entry) -> Vec<Vec<(&'static str, &'static str)>> {
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

/// Label names and values.
pub(super) type Labels = Vec<(String, String)>;

/// The bucket a histogram's observations fall in: the second, or the only one.
pub(super) fn observed_bucket(entry: &Entry) -> usize {
    entry.buckets.len().saturating_sub(1).min(1)
}

/// The series of one instance of `entry` with value (or rate) `v`: name,
/// extra labels, and promtool's expanding notation for `steps` minutes.
pub(super) fn samples_of(entry: &Entry, v: f64, steps: u32) -> Vec<(String, Labels, String)> {
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

pub(super) fn input(out: &mut String, name: &str, labels: &[(String, String)], values: &str) {
    let _ = writeln!(out, "      - series: {}", quoted(&selector(name, labels)));
    field(out, 8, "values", values);
}

pub(super) fn sample(name: &str, labels: &[(String, String)], value: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "          - labels: {}",
        quoted(&selector(name, labels))
    );
    let _ = writeln!(out, "            value: {}", super::fleet::number(value));
    out
}

pub(super) fn expr_test(out: &mut String, expr: &str, minutes: u32, samples: &[String]) {
    let _ = writeln!(out, "      - expr: {}", quoted(expr));
    field(out, 8, "eval_time", &format!("{minutes}m"));
    key(out, 8, "exp_samples");
    for sample in samples {
        out.push_str(sample);
    }
}

/// `name{a="b",..}` with the values escaped as PromQL reads them.
pub(super) fn selector(name: &str, labels: &[(String, String)]) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{name}{{{}}}", pairs.join(","))
}
