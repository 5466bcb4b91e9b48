//! What the recorded series must hold, computed from what the workers serve.

use std::collections::{BTreeMap, BTreeSet};

use harness::exposition::Sample;
use harness::prometheus::Series;
use kvstats_core::catalog::Catalog;

use super::catalog;

/// Samples grouped as a `by (L)` aggregation groups them: by every label
/// but the instance labels (`dp_rank`), keyed by those labels.
pub fn by_component<'a>(
    catalog: &Catalog,
    samples: impl Iterator<Item = &'a Sample>,
) -> BTreeMap<BTreeMap<String, String>, Vec<f64>> {
    let mut groups: BTreeMap<BTreeMap<String, String>, Vec<f64>> = BTreeMap::new();
    for sample in samples {
        let labels = sample
            .labels
            .iter()
            .filter(|(key, _)| !catalog.instance_labels().contains(key))
            .cloned()
            .collect();
        groups.entry(labels).or_default().push(sample.value);
    }
    groups
}

/// What each per-component gauge rule of `recorded` must hold for
/// `samples`: `:sum`, `:max`, `:min`, `:count` and `:avg` over the series
/// of the metric, `:ratio` the sum of its numerator over the sum of its
/// denominator. Keyed by the series' line without its value.
pub fn expected_gauge_rules(
    catalog: &Catalog,
    recorded: &BTreeSet<String>,
    samples: &[Sample],
) -> BTreeMap<String, f64> {
    let entries = catalog.entries();
    let named = |name: String| {
        let selected = samples.iter().filter(move |s| s.name == name);
        by_component(catalog, selected)
    };
    let mut expected = BTreeMap::new();
    for rule in recorded {
        let Some((base, op)) = rule
            .strip_prefix("dynamo_component:")
            .and_then(|rest| rest.rsplit_once(':'))
        else {
            continue;
        };
        let full = catalog.full_name(base);
        let groups = match op {
            "ratio" => {
                let (numerator, denominator) = entries
                    .iter()
                    .find(|e| e.name == full)
                    .and_then(|e| e.ratio_of.clone())
                    .unwrap_or_else(|| panic!("{rule}: {full} is no ratio in the catalog"));
                let below = named(denominator);
                named(numerator)
                    .into_iter()
                    .map(|(labels, above)| {
                        let below: f64 = below[&labels].iter().sum();
                        (labels, above.iter().sum::<f64>() / below)
                    })
                    .collect()
            }
            "sum" | "max" | "min" | "count" | "avg" => {
                let fold = |values: Vec<f64>| {
                    let n = values.len() as f64;
                    match op {
                        "sum" => values.iter().sum(),
                        "max" => values.into_iter().fold(f64::MIN, f64::max),
                        "min" => values.into_iter().fold(f64::MAX, f64::min),
                        "count" => n,
                        _ => values.iter().sum::<f64>() / n,
                    }
                };
                named(full)
                    .into_iter()
                    .map(|(labels, values)| (labels, fold(values)))
                    .collect::<Vec<_>>()
            }
            // Counters' rates and histograms' quantiles: not a function of the last values.
            _ => continue,
        };
        for (mut labels, value) in groups {
            labels.insert("__name__".to_owned(), rule.clone());
            expected.insert(key(&Series { labels, value }), value);
        }
    }
    expected
}

/// A series' line without its value (see `Series`' `Display`).
pub fn key(series: &Series) -> String {
    let line = series.to_string();
    match line.rsplit_once(' ') {
        Some((key, _)) => key.to_owned(),
        None => line,
    }
}

/// `Ok` when `seen` holds exactly the series of `expected`, with the same
/// values: bit for bit, but for a mean, which PromQL computes otherwise
/// than a sum divided by a count and may differ in the last bits.
pub fn matches(seen: &[Series], expected: &BTreeMap<String, f64>) -> Result<(), String> {
    let seen: BTreeMap<String, f64> = seen.iter().map(|s| (key(s), s.value)).collect();
    let same = |key: &String| match (seen.get(key), expected.get(key)) {
        (Some(&value), Some(&want)) => {
            value.to_bits() == want.to_bits()
                || (key.contains(":avg{") && (value - want).abs() <= 1e-12 * want.abs())
        }
        _ => false,
    };
    let differ: Vec<String> = seen
        .keys()
        .chain(expected.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|key| !same(key))
        .map(|key| {
            format!(
                "{key}: {:?}, expected {:?}",
                seen.get(key),
                expected.get(key)
            )
        })
        .collect();
    if differ.is_empty() {
        Ok(())
    } else {
        Err(format!("\n{}", differ.join("\n")))
    }
}

/// `Ok` when `seen` is one series, labelled `labels` (besides its name),
/// whose value passes `ok`.
pub fn one(
    seen: &[Series],
    labels: &[(impl AsRef<str>, impl AsRef<str>)],
    ok: impl Fn(f64) -> bool,
) -> Result<(), String> {
    let labelled = |series: &Series| {
        series.labels.len() == labels.len() + 1
            && labels
                .iter()
                .all(|(k, v)| series.label(k.as_ref()) == Some(v.as_ref()))
    };
    match seen {
        [series] if ok(series.value) && labelled(series) => Ok(()),
        _ => Err(format!("{seen:?}")),
    }
}

/// The base metric (`engine_prompt_tokens`) of a recorded series
/// (`dynamo_component:engine_prompt_tokens:rate5m`).
pub fn base(recorded: &str) -> &str {
    recorded.split(':').nth(1).unwrap_or_default()
}

/// The series of `recorded` that must exist: all but those over a metric
/// none of `samples` is of. Those are only the library's count of dropped
/// values, which has series once a value is dropped, and the workers drop
/// none.
pub fn present(recorded: &BTreeSet<String>, samples: &[Sample]) -> BTreeSet<String> {
    let exported = |base: &str| {
        let full = catalog().full_name(base);
        samples.iter().any(|s| s.name.starts_with(&full))
    };
    let (present, missing): (BTreeSet<String>, BTreeSet<String>) = recorded
        .iter()
        .cloned()
        .partition(|name| exported(base(name)));
    let missing: BTreeSet<&str> = missing.iter().map(|name| base(name)).collect();
    assert_eq!(missing, BTreeSet::from(["kvstats_values_dropped"]));
    present
}
