//! The test of every alert: one instance over each threshold, a stopped
//! worker for each `absent` alert.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::fixture::Fixture;
use super::{combos, expr_test, input, sample, samples_of, JOB, STOPPED, STOP_MINUTES};
use crate::catalog::fleet::{Plan, ABSENT_LOOKBACK};
use crate::catalog::yaml::{comment, key, quoted};
use crate::catalog::Entry;
use crate::fleet::Condition;
use crate::metric::MetricKind;

/// Writes the test of every alert: one instance over each `above`
/// threshold, one under each `below`, `STOPPED` gone for each `absent` alert,
/// and which alerts fire when.
pub(super) fn test(out: &mut String, entries: &[Entry], plan: &Plan, fixture: &Fixture) {
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
}
