//! A registered container ("group") and the set of groups of one registry.
//!
//! Everything a scrape needs that does not change after registration (full
//! names, label strings, `# HELP` lines) is rendered here once, so the scrape
//! only reads values and copies bytes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use prometheus::core::{Collector, Desc};
use prometheus::proto;

use crate::encode::{escape_label_value, family_header};
use crate::error::{checked, Error, Result};
use crate::gauge::Reading;
use crate::metric::{GaugeGroup, MetricDef};
use crate::names::check_name;
use crate::registry::{Scope, Shared};

/// Name (after the root prefix) of the counter of values dropped past a
/// per-position field's cap.
pub(crate) const DROPPED_METRIC: &str = "kvstats_positions_dropped_total";
const DROPPED_HELP: &str =
    "Values of per-position metrics dropped because the vector was longer than the field's max";
/// The label of [`DROPPED_METRIC`] that names the per-position metric.
const DROPPED_LABEL: &str = "metric";

/// Type-erased access to a container's values.
pub(crate) trait Values: Send + Sync {
    fn reading(&self, index: usize) -> Reading<'_>;
}

impl<G: GaugeGroup> Values for G {
    fn reading(&self, index: usize) -> Reading<'_> {
        self.__reading(index)
    }
}

/// One metric of a group, with its exposition text prepared.
pub(crate) struct Series {
    pub(crate) family: String,
    pub(crate) help: &'static str,
    /// Sorted label names, the per-position label included.
    label_names: Vec<String>,
    /// Text before the value, or before the position for per-position metrics:
    /// `name{a="1"}` or `name{a="1",position="`.
    pub(crate) head: String,
    /// Text after the position: `"}` or `",z="2"}`; empty for plain metrics.
    pub(crate) tail: String,
    /// For per-position metrics, the series prefix of the dropped-values counter.
    pub(crate) dropped_head: Option<String>,
}

/// A registered container.
pub(crate) struct Group {
    pub(crate) scope_labels: Vec<(String, String)>,
    pub(crate) values: Arc<dyn Values>,
    pub(crate) metrics: &'static [MetricDef],
    pub(crate) series: Vec<Series>,
    /// Every constant label (automatic and user), sorted by name.
    labels: Vec<(String, String)>,
    descs: Vec<Desc>,
}

impl Group {
    pub(crate) fn new<G: GaugeGroup>(
        scope: &Scope,
        user_labels: &[(&str, &str)],
        values: Arc<dyn Values>,
    ) -> Result<Group> {
        let metrics = <G::Stats as crate::PromGauges>::METRICS;
        let labels = merge_labels(scope, user_labels, metrics)?;
        let shared = &scope.shared;
        let series = metrics
            .iter()
            .map(|def| Series::new(shared, def, &labels))
            .collect::<Vec<_>>();
        let const_labels: HashMap<String, String> = labels.iter().cloned().collect();
        let descs = metrics
            .iter()
            .zip(&series)
            .map(|(def, s)| {
                Desc::new(
                    s.family.clone(),
                    def.help.to_owned(),
                    def.label.iter().map(|l| l.to_string()).collect(),
                    const_labels.clone(),
                )
            })
            .collect::<prometheus::Result<Vec<_>>>()?;
        Ok(Group {
            scope_labels: scope.labels.clone(),
            values,
            metrics,
            series,
            labels,
            descs,
        })
    }

    /// The protobuf families `prometheus::Registry::gather` asks for.
    fn families(&self, dropped_name: &str) -> Vec<proto::MetricFamily> {
        let mut out = Vec::new();
        let mut dropped = Vec::new();
        for (index, series) in self.series.iter().enumerate() {
            let mut family = proto::MetricFamily::default();
            family.set_name(series.family.clone());
            family.set_help(series.help.to_owned());
            family.set_field_type(proto::MetricType::GAUGE);
            match self.values.reading(index) {
                Reading::Absent => {}
                Reading::Gauge(g) => {
                    if let Some(v) = g.value() {
                        family.mut_metric().push(self.proto_metric(None, v));
                    }
                }
                Reading::Positions(view) => {
                    let label = self.metrics[index].label.unwrap_or("position");
                    for (pos, cell) in view.cells.iter().enumerate() {
                        let pair = (label, pos.to_string());
                        family
                            .mut_metric()
                            .push(self.proto_metric(Some(pair), cell.get()));
                    }
                    let mut m = proto::Metric::default();
                    m.set_label(self.label_pairs(Some((DROPPED_LABEL, series.family.clone()))));
                    let mut c = proto::Counter::default();
                    c.set_value(view.dropped as f64);
                    m.set_counter(c);
                    dropped.push(m);
                }
            }
            if !family.get_metric().is_empty() {
                out.push(family);
            }
        }
        if !dropped.is_empty() {
            let mut family = proto::MetricFamily::default();
            family.set_name(dropped_name.to_owned());
            family.set_help(DROPPED_HELP.to_owned());
            family.set_field_type(proto::MetricType::COUNTER);
            family.mut_metric().extend(dropped);
            out.push(family);
        }
        out
    }

    fn proto_metric(&self, extra: Option<(&str, String)>, value: f64) -> proto::Metric {
        let mut m = proto::Metric::default();
        m.set_label(self.label_pairs(extra));
        let mut g = proto::Gauge::default();
        g.set_value(value);
        m.set_gauge(g);
        m
    }

    fn label_pairs(&self, extra: Option<(&str, String)>) -> Vec<proto::LabelPair> {
        let mut pairs: Vec<(&str, String)> = self
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        pairs.extend(extra);
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        pairs
            .into_iter()
            .map(|(k, v)| {
                let mut p = proto::LabelPair::default();
                p.set_name(k.to_owned());
                p.set_value(v);
                p
            })
            .collect()
    }
}

/// Validates the user's labels and merges them with the scope's, sorted by name.
fn merge_labels(
    scope: &Scope,
    user_labels: &[(&str, &str)],
    metrics: &[MetricDef],
) -> Result<Vec<(String, String)>> {
    let has_positions = metrics.iter().any(|m| m.label.is_some());
    let mut labels = scope.labels.clone();
    for &(name, value) in user_labels {
        checked("label", name, check_name)?;
        if scope.shared.is_auto_label(name) {
            return Err(Error::ReservedLabel {
                label: name.to_owned(),
                owner: "the registry sets it from the namespace / component / endpoint",
            });
        }
        if metrics.iter().any(|m| m.label == Some(name)) {
            return Err(Error::ReservedLabel {
                label: name.to_owned(),
                owner: "a per-position metric of this struct uses it for the position",
            });
        }
        if has_positions && name == DROPPED_LABEL {
            return Err(Error::ReservedLabel {
                label: name.to_owned(),
                owner: "the dropped-positions counter of this struct uses it",
            });
        }
        if labels.iter().any(|(k, _)| k == name) {
            return Err(Error::DuplicateLabel {
                label: name.to_owned(),
            });
        }
        labels.push((name.to_owned(), value.to_owned()));
    }
    labels.sort();
    Ok(labels)
}

impl Series {
    fn new(shared: &Shared, def: &MetricDef, labels: &[(String, String)]) -> Series {
        let family = shared.full_name(def.name);
        let mut label_names: Vec<String> = labels.iter().map(|(k, _)| k.clone()).collect();
        label_names.extend(def.label.map(str::to_owned));
        label_names.sort();
        let (head, tail) = series_text(&family, labels, def.label);
        let dropped_head = def.label.map(|_| {
            let mut with_metric = labels.to_vec();
            with_metric.push((DROPPED_LABEL.to_owned(), family.clone()));
            with_metric.sort();
            series_text(&shared.full_name(DROPPED_METRIC), &with_metric, None).0
        });
        Series {
            family,
            help: def.help,
            label_names,
            head,
            tail,
            dropped_head,
        }
    }

    /// Whether both are the same series: same name and the same labels.
    fn same_series(&self, other: &Series) -> bool {
        self.head == other.head && self.tail == other.tail
    }
}

/// `name{labels}` split around the value of `variable` (if any), labels sorted.
fn series_text(
    family: &str,
    labels: &[(String, String)],
    variable: Option<&str>,
) -> (String, String) {
    let mut head = family.to_owned();
    let mut tail = String::new();
    if labels.is_empty() && variable.is_none() {
        return (head, tail);
    }
    let mut out = &mut head;
    let mut sep = '{';
    let mut variable = variable;
    for (name, value) in labels {
        if let Some(var) = variable.filter(|v| *v < name.as_str()) {
            out.push(sep);
            out.push_str(var);
            out.push_str("=\"");
            out = &mut tail;
            out.push('"');
            sep = ',';
            variable = None;
        }
        out.push(sep);
        out.push_str(name);
        out.push_str("=\"");
        escape_label_value(value, out);
        out.push('"');
        sep = ',';
    }
    if let Some(var) = variable {
        out.push(sep);
        out.push_str(var);
        out.push_str("=\"");
        out = &mut tail;
        out.push('"');
    }
    out.push('}');
    (head, tail)
}

/// One metric family of the exposition: every series of that name, in
/// registration order.
pub(crate) struct Family {
    pub(crate) name: String,
    pub(crate) header: String,
    pub(crate) members: Vec<Member>,
}

/// A series source of a [`Family`]: metric `index` of `group`, or the
/// dropped-values counter of that metric.
pub(crate) struct Member {
    pub(crate) group: Arc<Group>,
    pub(crate) index: usize,
    pub(crate) dropped: bool,
}

/// Every group of one registry and the exposition plan built from them.
#[derive(Default)]
pub(crate) struct GroupSet {
    next_id: u64,
    groups: BTreeMap<u64, Arc<Group>>,
    /// Families sorted by name, rebuilt on every (un)registration.
    pub(crate) plan: Vec<Family>,
}

impl GroupSet {
    /// Checks `group` against what is registered, registers it with the
    /// prometheus registry and adds it; returns its id.
    pub(crate) fn insert(shared: &Shared, group: Group) -> Result<u64> {
        let mut set = shared.groups.write().unwrap_or_else(|e| e.into_inner());
        set.check_new(&group)?;
        let group = Arc::new(group);
        shared
            .prometheus
            .register(Box::new(GroupCollector {
                group: Arc::clone(&group),
                dropped_name: shared.full_name(DROPPED_METRIC),
            }))
            .map_err(Error::from)?;
        let id = set.next_id;
        set.next_id += 1;
        set.groups.insert(id, group);
        set.rebuild_plan(shared);
        Ok(id)
    }

    /// Removes group `id`; unknown ids are ignored.
    pub(crate) fn remove(shared: &Shared, id: u64) -> Result<()> {
        let mut set = shared.groups.write().unwrap_or_else(|e| e.into_inner());
        let Some(group) = set.groups.remove(&id) else {
            return Ok(());
        };
        set.rebuild_plan(shared);
        shared.prometheus.unregister(Box::new(GroupCollector {
            group,
            dropped_name: shared.full_name(DROPPED_METRIC),
        }))?;
        Ok(())
    }

    fn check_new(&self, new: &Group) -> Result<()> {
        // Nested structs are compiled separately, so two of them may export the
        // same name; the derive cannot see that, registration can.
        for (i, series) in new.series.iter().enumerate() {
            if let Some(j) = new.series[..i]
                .iter()
                .position(|s| s.family == series.family)
            {
                return Err(Error::Inconsistent {
                    metric: series.family.clone(),
                    detail: format!(
                        "a second source in the same struct: `{}` and `{}` both export it; \
                         give one of them another `name` or `prefix`",
                        new.metrics[j].source(),
                        new.metrics[i].source()
                    ),
                });
            }
        }
        for series in &new.series {
            for old in self.groups.values().flat_map(|g| &g.series) {
                if old.family != series.family {
                    continue;
                }
                if old.help != series.help {
                    return Err(Error::Inconsistent {
                        metric: series.family.clone(),
                        detail: format!(
                            "help {:?}; this registration has help {:?}",
                            old.help, series.help
                        ),
                    });
                }
                if old.label_names != series.label_names {
                    return Err(Error::Inconsistent {
                        metric: series.family.clone(),
                        detail: format!(
                            "label names {:?}; this registration has {:?}, and every series \
                             of one metric must have the same label names",
                            old.label_names, series.label_names
                        ),
                    });
                }
                // Last: with the same help and label names, the same labels
                // mean the very same series registered twice.
                if old.same_series(series) {
                    return Err(Error::AlreadyRegistered {
                        metric: series.family.clone(),
                        labels: labels_text(&new.labels),
                    });
                }
            }
        }
        Ok(())
    }

    fn rebuild_plan(&mut self, shared: &Shared) {
        let mut families: BTreeMap<String, Family> = BTreeMap::new();
        for group in self.groups.values() {
            for (index, series) in group.series.iter().enumerate() {
                let family = families
                    .entry(series.family.clone())
                    .or_insert_with(|| Family {
                        name: series.family.clone(),
                        header: family_header(&series.family, series.help, "gauge"),
                        members: Vec::new(),
                    });
                family.members.push(Member {
                    group: Arc::clone(group),
                    index,
                    dropped: false,
                });
                if series.dropped_head.is_some() {
                    let name = shared.full_name(DROPPED_METRIC);
                    let family = families.entry(name.clone()).or_insert_with(|| Family {
                        header: family_header(&name, DROPPED_HELP, "counter"),
                        name,
                        members: Vec::new(),
                    });
                    family.members.push(Member {
                        group: Arc::clone(group),
                        index,
                        dropped: true,
                    });
                }
            }
        }
        // Series sorted by label values, as `prometheus::Registry::gather` sorts
        // them, so both render the same text and the order does not depend on
        // the order of registration.
        for family in families.values_mut() {
            family.members.sort_by(|a, b| {
                (&a.group.labels, &a.group.series[a.index].family)
                    .cmp(&(&b.group.labels, &b.group.series[b.index].family))
            });
        }
        self.plan = families.into_values().collect();
    }
}

/// `{a="1",b="2"}` as in the exposition.
fn labels_text(labels: &[(String, String)]) -> String {
    let (head, _) = series_text("", labels, None);
    if head.is_empty() {
        "{}".to_owned()
    } else {
        head
    }
}

/// A group as the `prometheus` crate sees it.
struct GroupCollector {
    group: Arc<Group>,
    dropped_name: String,
}

impl Collector for GroupCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.group.descs.iter().collect()
    }

    fn collect(&self) -> Vec<proto::MetricFamily> {
        if crate::encode::encoding_directly() {
            // `prometheus_text` writes our groups itself and asks `gather` only
            // for collectors that are not ours.
            return Vec::new();
        }
        self.group.families(&self.dropped_name)
    }
}
