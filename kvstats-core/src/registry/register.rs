//! Registration, the one way into a registry: identity (a series is its full
//! name plus its sorted label set) and consistency (one type, help and set
//! of label names per family) are decided here, against the plan, before
//! anything is added.
//!
//! Everything that does not need the plan (label checks, the label text, the
//! container) is prepared before the lock is taken; under it a registration
//! makes a few `O(log n)` lookups and insertions per metric, so its cost does
//! not grow with what is registered, and a scrape waits for at most the one
//! registration in progress.

use std::any::TypeId;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::instance::Instance;
use crate::metric::{GaugeGroup, MetricDef, PromGauges};
use crate::render::plan::Plan;
use crate::text::label_pairs;

use super::handle::Registered;
use super::{labels, Scope};

/// Registers a new container of type `G` on `scope` with the caller's labels.
pub(crate) fn register<G: GaugeGroup>(
    scope: &Scope,
    user_labels: &[(&str, &str)],
) -> Result<Registered<G>> {
    let metrics = <G::Stats as PromGauges>::METRICS;
    let labels = labels::merge(scope, user_labels, metrics)?;
    let label_names: Vec<&str> = labels.iter().map(|(k, _)| *k).collect();
    let instance = Arc::new(Instance {
        labels: label_pairs(&labels).into(),
        scope: Arc::clone(&scope.labels),
        handles: AtomicUsize::new(1),
        kept: AtomicBool::new(false),
        values: G::default(),
    });
    let erased: Arc<Instance> = instance.clone();
    let shared = &scope.shared;
    let names: Vec<Box<str>> = metrics
        .iter()
        .map(|def| shared.full_name(def.name))
        .collect();
    unique_within(metrics, &names)?;
    let class = TypeId::of::<G>();
    {
        let mut plan = shared.write_plan();
        check(&plan, metrics, &names, &label_names, &erased)?;
        plan.insert(class, metrics, &label_names, erased);
    }
    Ok(Registered::new(instance, Arc::downgrade(shared)))
}

/// Nested structs are compiled separately, so two of them may export the
/// same name; the derive cannot see that, registration can.
fn unique_within(metrics: &[MetricDef], names: &[Box<str>]) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|other| other == name) {
            return Err(Error::Inconsistent {
                metric: name.to_string(),
                detail: format!(
                    "a second source in the same struct: `{}` and `{}` both export it; give \
                     one of them another `name` or `prefix`",
                    metrics[j].source(),
                    metrics[i].source()
                ),
            });
        }
    }
    Ok(())
}

/// Whether `instance`'s metrics can join the plan: no clash with the
/// library's own metrics, consistent families, and no series that exists.
fn check(
    plan: &Plan,
    metrics: &[MetricDef],
    names: &[Box<str>],
    label_names: &[&str],
    instance: &Arc<Instance>,
) -> Result<()> {
    // The classes whose instances were searched for these labels: most
    // families of a struct are fed by the same class, searched once.
    let mut searched = Vec::new();
    for (def, name) in metrics.iter().zip(names) {
        let series_labels = series_label_names(label_names, def);
        if let Some(family) = plan.families.get(name) {
            let Some(family_labels) = &family.label_names else {
                return Err(Error::Inconsistent {
                    metric: name.to_string(),
                    detail: format!(
                        "the library's own metric of that name; `{}` must export another name",
                        def.source()
                    ),
                });
            };
            if family.kind != def.kind {
                return Err(inconsistent(
                    name,
                    format!("type {}", family.kind.as_str()),
                    format!("type {}", def.kind.as_str()),
                    "",
                ));
            }
            if *family.help != *def.help {
                return Err(inconsistent(
                    name,
                    format!("help {:?}", family.help),
                    format!("help {:?}", def.help),
                    "",
                ));
            }
            if !same_names(family_labels, &series_labels) {
                return Err(inconsistent(
                    name,
                    format!("label names {}", list(family_labels.iter().map(|n| &**n))),
                    format!("label names {}", list(series_labels.iter().copied())),
                    "",
                ));
            }
            for source in &family.sources {
                let crate::render::plan::Source::Class { class, .. } = source else {
                    continue;
                };
                if searched.contains(class) {
                    continue;
                }
                searched.push(*class);
                if plan
                    .class(*class)
                    .and_then(|c| c.same_labels(instance))
                    .is_some()
                {
                    return Err(Error::AlreadyRegistered {
                        metric: name.to_string(),
                        labels: format!("{{{}}}", instance.labels),
                    });
                }
            }
        }
        if let Some(foreign) = plan.foreign.get(name) {
            if *foreign.help != *def.help {
                return Err(inconsistent(
                    name,
                    format!("help {:?}", foreign.help),
                    format!("help {:?}", def.help),
                    BY_COLLECTOR,
                ));
            }
            if !same_names(&foreign.label_names, &series_labels) {
                return Err(inconsistent(
                    name,
                    format!(
                        "label names {}",
                        list(foreign.label_names.iter().map(|n| &**n))
                    ),
                    format!("label names {}", list(series_labels.iter().copied())),
                    BY_COLLECTOR,
                ));
            }
        }
    }
    Ok(())
}

/// Every label name of a series of `def`: the constant ones and its own, sorted.
fn series_label_names<'a>(constant: &[&'a str], def: &'a MetricDef) -> Vec<&'a str> {
    let mut names: Vec<&str> = constant
        .iter()
        .copied()
        .chain(def.labels.iter().copied())
        .collect();
    names.sort_unstable();
    names
}

fn same_names(known: &[Box<str>], new: &[&str]) -> bool {
    known.iter().map(|n| &**n).eq(new.iter().copied())
}

pub(super) fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Who registered a family that a `prometheus` collector declared.
const BY_COLLECTOR: &str = " by a `prometheus` collector";

/// The family `name` is already registered with `known` (by `by`, if not a
/// kvstats registration); this registration has `new`.
pub(super) fn inconsistent(name: &str, known: String, new: String, by: &str) -> Error {
    Error::Inconsistent {
        metric: name.to_owned(),
        detail: format!(
            "{known}{by}; this registration has {new}; every series of one metric must agree, \
             so give one of them another name"
        ),
    }
}
