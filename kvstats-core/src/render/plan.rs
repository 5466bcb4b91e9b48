//! The render plan: every family of a registry in name order with the
//! sources of its series, and every registered instance in label order. The
//! registry changes it when something is registered or dropped (each change
//! costs a few `O(log n)` map operations, whatever is registered already);
//! the renderers only read it.

use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use crate::cells::{Reason, SeriesKey};
use crate::instance::Instance;
use crate::metric::{MetricDef, MetricKind};
use crate::own;
use crate::render::{Encoding, Format};
use crate::text::{
    cmp_label_text, escape_label_value, family_header, full_name, openmetrics_header, write_integer,
};

/// Identifies the container type of a class of instances.
pub(crate) type ClassId = TypeId;

/// An instance ordered by its label values (the order series are written in).
struct Ordered(Arc<Instance>);

impl PartialEq for Ordered {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        cmp_label_text(&self.0.labels, &other.0.labels)
    }
}

/// Every instance of one container type, with the label names they share.
pub(crate) struct Class {
    /// Sorted names of the constant labels of every instance.
    pub(crate) label_names: Box<[Box<str>]>,
    instances: BTreeSet<Ordered>,
    /// The families this class feeds, to leave them when its last instance goes.
    families: Vec<Box<str>>,
}

impl Class {
    /// The instance whose labels equal `probe`'s, if there is one.
    pub(crate) fn same_labels(&self, probe: &Arc<Instance>) -> Option<&Arc<Instance>> {
        self.instances
            .get(&Ordered(Arc::clone(probe)))
            .map(|found| &found.0)
    }

    /// The instances, in label order.
    pub(crate) fn instances(&self) -> impl Iterator<Item = &Arc<Instance>> {
        self.instances.iter().map(|ordered| &ordered.0)
    }
}

/// What a class source reads from a container's metric.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// The value (or values: one per position or key, or the buckets).
    Value,
    /// How many values it left out for this reason.
    Dropped(Reason),
}

/// A label a source adds to the instance's constant labels.
pub(crate) struct Extra {
    pub(crate) name: Box<str>,
    pub(crate) value: ExtraValue,
    /// How many of the class's constant labels sort before it.
    pub(crate) at: usize,
}

/// The value of an [`Extra`].
pub(crate) enum ExtraValue {
    /// The same for every series: the escaped value.
    Fixed(Box<str>),
    /// The position or key of each series of a per-series field.
    PerSeries,
}

/// Where series of a family come from.
pub(crate) enum Source {
    /// Metric `index` of every instance of `class`.
    Class {
        class: ClassId,
        index: usize,
        read: Read,
        extras: Box<[Extra]>,
    },
    /// The registry's count of foreign families left out of scrapes.
    Conflicts,
    /// The registry's count of scrapes, by format and encoding.
    Scrapes,
}

/// One metric family of the exposition.
pub(crate) struct Family {
    pub(crate) name: Box<str>,
    pub(crate) kind: MetricKind,
    pub(crate) help: Box<str>,
    /// A histogram's finite bucket bounds, ascending.
    pub(crate) buckets: &'static [f64],
    /// `# HELP` and `# TYPE` lines of the text format 0.0.4, written once.
    pub(crate) header: Box<str>,
    /// `# HELP`, `# TYPE` and `# UNIT` lines of OpenMetrics, written once.
    pub(crate) openmetrics_header: Box<str>,
    /// Sorted names of every label of every series; `None` for the library's
    /// own family, whose series carry the labels of what they count.
    pub(crate) label_names: Option<Box<[Box<str>]>>,
    pub(crate) sources: Vec<Source>,
}

impl Family {
    fn new(name: Box<str>, def: &MetricDef, label_names: Option<Box<[Box<str>]>>) -> Self {
        Family {
            header: family_header(&name, def.help, def.kind.as_str()).into(),
            openmetrics_header: openmetrics_header(&name, def.help, def.kind.as_str(), def.unit)
                .into(),
            name,
            kind: def.kind,
            help: def.help.into(),
            buckets: def.buckets,
            label_names,
            sources: Vec::new(),
        }
    }

    /// Whether this family is the library's own.
    pub(crate) fn is_own(&self) -> bool {
        self.label_names.is_none()
    }
}

/// What a collector registered through the registry declared about a family.
pub(crate) struct ForeignFamily {
    pub(crate) help: Box<str>,
    pub(crate) label_names: Box<[Box<str>]>,
    /// How many registered collectors declare it.
    pub(crate) collectors: usize,
}

/// The plan of one registry.
pub(crate) struct Plan {
    root_prefix: Box<str>,
    pub(crate) families: BTreeMap<Box<str>, Family>,
    classes: HashMap<ClassId, Class>,
    pub(crate) foreign: BTreeMap<Box<str>, ForeignFamily>,
    /// Per foreign family name: how many scrapes left it out.
    pub(crate) conflicts: Mutex<BTreeMap<Box<str>, u64>>,
    /// Scrapes answered, by encoding (identity, gzip) and format (text,
    /// openmetrics): the order their label values sort in.
    pub(crate) scrapes: [[AtomicU64; 2]; 2],
    /// The length of the last exposition written (of any level and format),
    /// reserved up front by the next: a large text then grows its buffer
    /// once instead of copying itself a dozen times as it doubles.
    pub(crate) last_len: AtomicUsize,
}

impl Plan {
    /// An empty plan whose families are named under `root_prefix`; the
    /// library's own families exist from the start, so no stats struct can
    /// take their names.
    pub(crate) fn new(root_prefix: &str) -> Self {
        let mut plan = Plan {
            root_prefix: root_prefix.into(),
            families: BTreeMap::new(),
            classes: HashMap::new(),
            foreign: BTreeMap::new(),
            conflicts: Mutex::new(BTreeMap::new()),
            scrapes: Default::default(),
            last_len: AtomicUsize::new(0),
        };
        for def in own::METRICS {
            let name = plan.full_name(def.name);
            let mut family = Family::new(name.clone(), def, None);
            if def.name == own::DROPPED_VALUES.name {
                family.sources.push(Source::Conflicts);
            }
            if def.name == own::SCRAPES.name {
                family.sources.push(Source::Scrapes);
            }
            plan.families.insert(name, family);
        }
        plan
    }

    /// `{root}_{name}`, or `name` alone when the root prefix is empty.
    pub(crate) fn full_name(&self, name: &str) -> Box<str> {
        full_name(&self.root_prefix, name)
    }

    /// Counts one scrape that left out the foreign family `name`.
    pub(crate) fn count_conflict(&self, name: &str) {
        let mut conflicts = self.conflicts.lock().unwrap_or_else(|e| e.into_inner());
        match conflicts.get_mut(name) {
            Some(count) => *count += 1,
            None => {
                conflicts.insert(name.into(), 1);
            }
        }
    }

    /// Counts one scrape answered in `format` and `encoding`.
    pub(crate) fn count_scrape(&self, format: Format, encoding: Encoding) {
        self.scrapes[encoding_index(encoding)][format_index(format)].fetch_add(1, Relaxed);
    }

    pub(crate) fn class(&self, id: ClassId) -> Option<&Class> {
        self.classes.get(&id)
    }

    /// Adds `instance` to class `id`, creating the class (and the families
    /// and sources it feeds) for its first instance. The registry has checked
    /// that nothing clashes.
    pub(crate) fn insert(
        &mut self,
        id: ClassId,
        metrics: &'static [MetricDef],
        label_names: &[&str],
        instance: Arc<Instance>,
    ) {
        if !self.classes.contains_key(&id) {
            let families = self.add_sources(id, metrics, label_names);
            self.classes.insert(
                id,
                Class {
                    label_names: label_names.iter().map(|&n| n.into()).collect(),
                    instances: BTreeSet::new(),
                    families,
                },
            );
        }
        if let Some(class) = self.classes.get_mut(&id) {
            class.instances.insert(Ordered(instance));
        }
    }

    /// Removes `instance` (this very one: another with the same labels is
    /// left alone); the class and its sources go with its last instance.
    /// Returns whether it was there.
    pub(crate) fn remove(&mut self, id: ClassId, instance: &Arc<Instance>) -> bool {
        let Some(class) = self.classes.get_mut(&id) else {
            return false;
        };
        // One search: take what has these labels, and put it back when it is
        // another instance (registered after this one was unregistered, whose
        // last clone is dropped only now).
        match class.instances.take(&Ordered(Arc::clone(instance))) {
            Some(found) if Arc::ptr_eq(&found.0, instance) => {}
            Some(other) => {
                class.instances.insert(other);
                return false;
            }
            None => return false,
        }
        if class.instances.is_empty() {
            if let Some(class) = self.classes.remove(&id) {
                self.remove_sources(id, &class.families);
            }
        }
        true
    }

    /// The sources of a new class in every family it feeds (families created
    /// as needed); returns the names of those families.
    fn add_sources(
        &mut self,
        id: ClassId,
        metrics: &'static [MetricDef],
        label_names: &[&str],
    ) -> Vec<Box<str>> {
        let mut fed = Vec::new();
        for (index, def) in metrics.iter().enumerate() {
            let name = self.full_name(def.name);
            let extras = def
                .labels
                .iter()
                .map(|&label| Extra {
                    name: label.into(),
                    value: ExtraValue::PerSeries,
                    at: count_before(label_names, label),
                })
                .collect();
            let family = self.families.entry(name.clone()).or_insert_with(|| {
                let names = sorted_names(label_names, def.labels);
                Family::new(name.clone(), def, Some(names))
            });
            family.sources.push(Source::Class {
                class: id,
                index,
                read: Read::Value,
                extras,
            });
            // An old name's values are counted under the current one.
            let reasons = if def.is_deprecated() {
                Vec::new()
            } else {
                def.drop_reasons()
            };
            for reason in reasons {
                let dropped = self.dropped_source(id, index, &name, reason, label_names);
                let own = self.full_name(own::DROPPED_VALUES.name);
                if let Some(family) = self.families.get_mut(&own) {
                    family.sources.push(dropped);
                }
                push_once(&mut fed, own);
            }
            push_once(&mut fed, name);
        }
        fed
    }

    /// The source of the dropped-values counter of metric `index` (full name
    /// `metric`) of class `id`, for `reason`.
    fn dropped_source(
        &self,
        id: ClassId,
        index: usize,
        metric: &str,
        reason: Reason,
        names: &[&str],
    ) -> Source {
        let fixed = |label: &'static str, value: &str| {
            let mut escaped = String::new();
            escape_label_value(value, &mut escaped);
            Extra {
                name: label.into(),
                value: ExtraValue::Fixed(escaped.into()),
                at: count_before(names, label),
            }
        };
        Source::Class {
            class: id,
            index,
            read: Read::Dropped(reason),
            extras: Box::new([
                fixed(own::LABEL_METRIC, metric),
                fixed(own::LABEL_REASON, reason.as_str()),
            ]),
        }
    }

    fn remove_sources(&mut self, id: ClassId, families: &[Box<str>]) {
        for name in families {
            let Some(family) = self.families.get_mut(name) else {
                continue;
            };
            family
                .sources
                .retain(|source| !matches!(source, Source::Class { class, .. } if *class == id));
            if family.sources.is_empty() && !family.is_own() {
                self.families.remove(name);
            }
        }
    }
}

/// The label values of the scrape counter, in the order they sort in.
pub(crate) const SCRAPE_ENCODINGS: [&str; 2] = ["gzip", "identity"];
pub(crate) const SCRAPE_FORMATS: [&str; 2] = ["openmetrics", "text"];

fn encoding_index(encoding: Encoding) -> usize {
    match encoding {
        Encoding::Gzip => 0,
        Encoding::Identity => 1,
    }
}

fn format_index(format: Format) -> usize {
    match format {
        Format::OpenMetrics => 0,
        Format::Text => 1,
    }
}

fn push_once(names: &mut Vec<Box<str>>, name: Box<str>) {
    if !names.contains(&name) {
        names.push(name);
    }
}

/// How many of the sorted `names` sort before `label`.
fn count_before(names: &[&str], label: &str) -> usize {
    names.iter().take_while(|&&n| n < label).count()
}

/// `constant` and `extra` label names together, sorted.
fn sorted_names(constant: &[&str], extra: &[&str]) -> Box<[Box<str>]> {
    let mut names: Vec<Box<str>> = constant.iter().chain(extra).map(|&n| n.into()).collect();
    names.sort();
    names.into()
}

/// Appends the labels of one series: `constant` (escaped `name="value"`
/// text, sorted) with `extras` merged in at their places, `key` being the
/// value of an [`ExtraValue::PerSeries`].
pub(crate) fn write_labels(
    out: &mut String,
    constant: &str,
    extras: &[Extra],
    key: Option<SeriesKey<'_>>,
) {
    let mut rest = constant;
    let mut written_pairs = 0;
    let mut first = true;
    let mut separator = |out: &mut String| {
        if !first {
            out.push(',');
        }
        first = false;
    };
    for extra in extras {
        // Constant pairs that sort before this extra.
        while written_pairs < extra.at && !rest.is_empty() {
            let (pair, after) = split_pair(rest);
            separator(out);
            out.push_str(pair);
            rest = after;
            written_pairs += 1;
        }
        separator(out);
        match &extra.value {
            ExtraValue::Fixed(value) => {
                out.push_str(&extra.name);
                out.push_str("=\"");
                out.push_str(value);
                out.push('"');
            }
            ExtraValue::PerSeries => {
                out.push_str(&extra.name);
                out.push_str("=\"");
                match key {
                    Some(SeriesKey::Position(position)) => write_integer(out, position as i64),
                    Some(SeriesKey::Key(key)) => escape_label_value(key, out),
                    None => {}
                }
                out.push('"');
            }
        }
    }
    if !rest.is_empty() {
        separator(out);
        out.push_str(rest);
    }
}

/// The first `name="value"` pair of escaped label text, and the text after
/// it (without the comma).
fn split_pair(text: &str) -> (&str, &str) {
    let bytes = text.as_bytes();
    let mut i = match text.find("=\"") {
        Some(at) => at + 2,
        None => return (text, ""),
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                let (pair, rest) = text.split_at(i + 1);
                return (pair, rest.strip_prefix(',').unwrap_or(rest));
            }
            _ => i += 1,
        }
    }
    (text, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extra(name: &str, at: usize, value: Option<&str>) -> Extra {
        Extra {
            name: name.into(),
            value: match value {
                Some(v) => ExtraValue::Fixed(v.into()),
                None => ExtraValue::PerSeries,
            },
            at,
        }
    }

    fn labels(constant: &str, extras: &[Extra], position: usize) -> String {
        let mut out = String::new();
        write_labels(
            &mut out,
            constant,
            extras,
            Some(SeriesKey::Position(position)),
        );
        out
    }

    #[test]
    fn extras_are_merged_in_name_order() {
        let constant = r#"b="x\"y",d="2""#;
        assert_eq!(labels(constant, &[], 0), constant);
        assert_eq!(
            labels(constant, &[extra("position", 2, None)], 12),
            r#"b="x\"y",d="2",position="12""#
        );
        assert_eq!(
            labels(constant, &[extra("a", 0, None)], 3),
            r#"a="3",b="x\"y",d="2""#
        );
        assert_eq!(
            labels(
                constant,
                &[extra("c", 1, Some("m")), extra("e", 2, Some("r"))],
                0
            ),
            r#"b="x\"y",c="m",d="2",e="r""#
        );
        assert_eq!(
            labels("", &[extra("position", 0, None)], 1),
            r#"position="1""#
        );
        assert_eq!(labels("", &[], 0), "");
    }

    #[test]
    fn pairs_split_after_escaped_quotes() {
        assert_eq!(
            split_pair(r#"a="x\",y",b="z""#),
            (r#"a="x\",y""#, r#"b="z""#)
        );
        assert_eq!(split_pair(r#"a="\\",b="z""#), (r#"a="\\""#, r#"b="z""#));
        assert_eq!(split_pair(r#"a="""#), (r#"a="""#, ""));
    }
}
