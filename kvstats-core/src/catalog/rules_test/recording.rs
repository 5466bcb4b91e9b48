//! The test of every recording rule, on steady series.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::fixture::Fixture;
use super::{combos, expr_test, input, observed_bucket, sample, samples_of, EVAL_MINUTES, STEPS};
use crate::catalog::fleet::{Op, Plan, Value};
use crate::catalog::yaml::{comment, key, quoted};
use crate::catalog::Entry;

/// A gauge's value, or a counter's per-second rate, for instance `k` of
/// entry `metric`, combination `c`: `60 * (1 + 12 * n)` (see the module docs).
fn steady(metric: usize, k: usize, c: usize) -> f64 {
    (60 * (1 + 12 * (metric + k + c))) as f64
}

/// Writes the test of every recording rule: steady series of every instance,
/// and each rule's value at `EVAL_MINUTES`.
pub(super) fn test(out: &mut String, entries: &[Entry], plan: &Plan, fixture: &Fixture) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_in_the_observed_bucket() {
        assert_eq!(
            quantile(0.5, &[0.1, 0.5, 1.0], 1, 10.0),
            0.1 + 0.4 * (5.0 / 10.0)
        );
        assert_eq!(quantile(0.5, &[1.0], 0, 4.0), 0.5);
    }
}
