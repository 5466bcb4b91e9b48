//! The catalog as JSON, for tools that are not written in Rust.

use super::fleet::number;
use super::json_value::{obj, Json};
use super::{Catalog, Entry, Label, GENERATED};
use crate::fleet::{AlertDef, Condition};

/// The version of the layout [`Format::Json`](super::Format::Json) writes;
/// raised when a field is renamed or removed, not when one is added.
///
/// Each metric has the fields of an [`Entry`]: `name`, `base_name`, `type`
/// (`gauge`, `counter` or `histogram`), `unit`, `labels` (every label of its
/// series but a bucket's `le`), `series_labels` (those the metric adds
/// itself, such as `position`), `buckets` (a histogram's finite upper
/// bounds, as numbers; `[]` for other kinds), `delta`, `series` (each name a
/// query selects, with its labels: a histogram's `_bucket` series add `le`),
/// `help`, `group`, `source`, `replaced_by`, and the fleet view's
/// `aggregate` (`["sum"]`, `["avg", "max"]`, `[]` for none), `ratio_of`
/// (`{"numerator": .., "denominator": ..}`, full names, or `null`) and
/// `alerts` (each with `name`, `condition` (`above`, `below` or `absent`),
/// `threshold` (`null` for absent), `for`, `severity` and `summary`).
/// Version 1 gained `series_labels`, `buckets`, `delta` and `series` with
/// the metric kinds, then the fleet fields; no field changed, so the version
/// did not.
///
/// ```
/// use kvstats_core::catalog::{Catalog, Format, SCHEMA_VERSION};
/// use kvstats_core::Registry;
///
/// let json = Catalog::new(&Registry::new()).render(Format::Json);
/// assert!(json.contains(&format!("\"schema_version\": {SCHEMA_VERSION},")));
/// ```
pub const SCHEMA_VERSION: u32 = 1;

pub(super) fn render(catalog: &Catalog) -> String {
    let labels = catalog
        .fixed_labels()
        .iter()
        .map(|(k, v)| label(k, Some(v)))
        .chain(catalog.instance_labels().iter().map(|k| label(k, None)))
        .collect();
    obj([
        ("schema_version", Json::from(i64::from(SCHEMA_VERSION))),
        ("comment", Json::from(GENERATED)),
        ("title", Json::from(catalog.title())),
        ("root_prefix", Json::from(catalog.root_prefix())),
        ("labels", Json::Arr(labels)),
        (
            "metrics",
            Json::Arr(catalog.entries().iter().map(metric).collect()),
        ),
    ])
    .pretty()
}

fn label(name: &str, value: Option<&str>) -> Json {
    obj([("name", Json::from(name)), ("value", Json::from(value))])
}

fn metric(entry: &Entry) -> Json {
    let labels = entry
        .labels
        .iter()
        .map(|Label { name, .. }| Json::from(name.as_str()))
        .collect();
    let series = entry
        .series
        .iter()
        .map(|s| {
            obj([
                ("name", Json::from(s.name.as_str())),
                ("labels", Json::from(s.labels.clone())),
            ])
        })
        .collect();
    let buckets = entry
        .buckets
        .iter()
        .map(|le| Json::Num(le.clone()))
        .collect();
    obj([
        ("name", Json::from(entry.name.as_str())),
        ("base_name", Json::from(entry.base_name)),
        ("type", Json::from(entry.kind.as_str())),
        ("unit", Json::from(entry.unit)),
        ("labels", Json::Arr(labels)),
        ("series_labels", Json::from(entry.series_labels.to_vec())),
        ("buckets", Json::Arr(buckets)),
        ("delta", Json::from(entry.delta)),
        ("series", Json::Arr(series)),
        ("help", Json::from(entry.help)),
        ("group", Json::from(entry.group)),
        ("source", Json::from(entry.source.as_str())),
        ("replaced_by", Json::from(entry.replaced_by.as_deref())),
        (
            "aggregate",
            Json::from(
                entry
                    .aggregate
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "ratio_of",
            entry.ratio_of.as_ref().map_or(Json::Null, |(n, d)| {
                obj([
                    ("numerator", Json::from(n.as_str())),
                    ("denominator", Json::from(d.as_str())),
                ])
            }),
        ),
        (
            "alerts",
            Json::Arr(entry.alerts.iter().map(alert).collect()),
        ),
    ])
}

fn alert(alert: &AlertDef) -> Json {
    let (condition, threshold) = match alert.condition {
        Condition::Above(x) => ("above", Json::Num(number(x))),
        Condition::Below(x) => ("below", Json::Num(number(x))),
        Condition::Absent => ("absent", Json::Null),
    };
    obj([
        ("name", Json::from(alert.name)),
        ("condition", Json::from(condition)),
        ("threshold", threshold),
        ("for", Json::from(alert.hold)),
        ("severity", Json::from(alert.severity)),
        ("summary", Json::from(alert.summary)),
    ])
}
