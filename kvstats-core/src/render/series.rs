//! The series of one family, read from the cells in the order Prometheus'
//! own `gather()` sorts them: by label values compared as strings (labels in
//! name order), so `position="10"` comes before `position="2"`.
//!
//! Most families have one source whose per-series label (if any) sorts after
//! every constant label; their series are walked straight from the sorted
//! instances. The others (a metric fed by several struct types, a position
//! label that sorts among the constant ones) are collected and sorted.

use crate::cells::Reading;
use crate::own;
use crate::text::{cmp_label_text, label_pairs, positions_in_text_order};

use crate::instance::Instance;

use super::plan::{write_labels, ExtraValue, Family, Plan, Read, Source};

/// One series as the renderers see it.
pub(crate) struct Series<'a> {
    /// Constant labels, escaped `name="value"` text sorted by name.
    pub(crate) labels: &'a str,
    pub(crate) extras: &'a [super::plan::Extra],
    /// The value of the per-position extra, if the source has one.
    pub(crate) position: usize,
    pub(crate) value: f64,
}

impl Series<'_> {
    /// Whether the series has any label.
    pub(crate) fn has_labels(&self) -> bool {
        !self.labels.is_empty() || !self.extras.is_empty()
    }

    /// Appends every label, escaped and sorted by name, without braces.
    pub(crate) fn write_labels(&self, out: &mut String) {
        write_labels(out, self.labels, self.extras, self.position);
    }
}

/// Calls `each` for every series of `family` registered on the level with
/// `scope` or below it, in `gather()` order.
pub(crate) fn for_each(
    plan: &Plan,
    family: &Family,
    scope: &[(String, String)],
    mut each: impl FnMut(&Series<'_>),
) {
    if let [source] = family.sources.as_slice() {
        if walks_in_order(plan, source) {
            read_source(plan, source, scope, &mut each);
            return;
        }
    }
    let mut collected: Vec<(String, f64)> = Vec::new();
    for source in &family.sources {
        read_source(plan, source, scope, &mut |series| {
            let mut labels = String::new();
            series.write_labels(&mut labels);
            collected.push((labels, series.value));
        });
    }
    collected.sort_by(|a, b| cmp_series_labels(&a.0, &b.0));
    for (labels, value) in &collected {
        each(&Series {
            labels,
            extras: &[],
            position: 0,
            value: *value,
        });
    }
}

/// The order of two series of one family by their full label text: fewer
/// labels first, then by values (what `gather()` does).
pub(crate) fn cmp_series_labels(a: &str, b: &str) -> std::cmp::Ordering {
    pair_count(a)
        .cmp(&pair_count(b))
        .then_with(|| cmp_label_text(a, b))
}

fn pair_count(text: &str) -> usize {
    text.matches("=\"").count()
}

/// Whether the series of `source` come out in order when its instances are
/// walked in label order: it has no per-series label before a constant one.
fn walks_in_order(plan: &Plan, source: &Source) -> bool {
    match source {
        Source::Class { class, extras, .. } => {
            let constant = plan.class(*class).map_or(0, |c| c.label_names.len());
            extras
                .iter()
                .all(|e| matches!(e.value, ExtraValue::Fixed(_)) || e.at == constant)
        }
        Source::Conflicts => true,
    }
}

fn read_source(
    plan: &Plan,
    source: &Source,
    scope: &[(String, String)],
    each: &mut dyn FnMut(&Series<'_>),
) {
    match source {
        Source::Class {
            class,
            index,
            read,
            extras,
        } => {
            let Some(class) = plan.class(*class) else {
                return;
            };
            for instance in class.instances() {
                if instance.in_scope(scope) {
                    read_instance(instance, *index, *read, extras, each);
                }
            }
        }
        Source::Conflicts => {
            if !scope.is_empty() {
                return;
            }
            let conflicts = plan.conflicts.lock().unwrap_or_else(|e| e.into_inner());
            for (metric, count) in conflicts.iter() {
                let labels = label_pairs(&[
                    (own::LABEL_METRIC, &**metric),
                    (own::LABEL_REASON, own::REASON_FOREIGN_CONFLICT),
                ]);
                each(&Series {
                    labels: &labels,
                    extras: &[],
                    position: 0,
                    value: *count as f64,
                });
            }
        }
    }
}

fn read_instance(
    instance: &Instance,
    index: usize,
    read: Read,
    extras: &[super::plan::Extra],
    each: &mut dyn FnMut(&Series<'_>),
) {
    let series = |position, value| Series {
        labels: &instance.labels,
        extras,
        position,
        value,
    };
    match (instance.values.reading(index), read) {
        (Reading::Gauge(gauge), Read::Value) => {
            if let Some(value) = gauge.value() {
                each(&series(0, value));
            }
        }
        (Reading::Positions(view), Read::Value) => {
            for position in positions_in_text_order(view.cells.len()) {
                each(&series(position, view.cells[position].get()));
            }
        }
        (Reading::Positions(view), Read::Dropped) => each(&series(0, view.dropped as f64)),
        (Reading::Gauge(_), Read::Dropped) | (Reading::Absent, _) => {}
    }
}
