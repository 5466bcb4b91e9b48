//! The labels of a registration: the caller's checked against the naming
//! rule, the registry's automatic labels and the labels the metrics add
//! themselves, then merged with the level's and sorted by name.

use crate::error::{checked, Error, Result};
use crate::metric::MetricDef;
use crate::names::check_name;
use crate::own;

use super::Scope;

/// Every constant label of a registration of `metrics` on `scope` with the
/// caller's `user` labels, sorted by name; or an error naming the label that
/// cannot be used and why.
pub(super) fn merge<'a>(
    scope: &'a Scope,
    user: &[(&'a str, &'a str)],
    metrics: &[MetricDef],
) -> Result<Vec<(&'a str, &'a str)>> {
    for def in metrics {
        for &label in def.labels {
            if scope.shared.is_auto_label(label) {
                return Err(Error::FieldLabel {
                    field: def.source(),
                    label: label.to_owned(),
                });
            }
        }
    }
    let per_series = metrics.iter().any(|def| !def.labels.is_empty());
    let mut merged: Vec<(&str, &str)> = scope
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    for &(name, value) in user {
        checked("label", name, check_name)?;
        if scope.shared.is_auto_label(name) {
            return Err(Error::ReservedLabel {
                label: name.to_owned(),
                owner: "the registry sets it from the namespace / component / endpoint".to_owned(),
            });
        }
        if let Some(def) = metrics.iter().find(|def| def.labels.contains(&name)) {
            return Err(Error::ReservedLabel {
                label: name.to_owned(),
                owner: format!("field `{}` uses it for its per-series label", def.source()),
            });
        }
        if per_series && own::DROPPED_VALUES.labels.contains(&name) {
            return Err(Error::ReservedLabel {
                label: name.to_owned(),
                owner: format!(
                    "the library's counter `{}` of this struct's dropped values uses it",
                    own::DROPPED_VALUES.name
                ),
            });
        }
        if merged.iter().any(|(k, _)| *k == name) {
            return Err(Error::DuplicateLabel {
                label: name.to_owned(),
            });
        }
        merged.push((name, value));
    }
    merged.sort_unstable_by(|a, b| a.0.cmp(b.0));
    Ok(merged)
}
