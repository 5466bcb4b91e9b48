//! The samples of one family, read from the cells in the order Prometheus'
//! own `gather()` sorts its series: by label values compared as strings
//! (labels in name order), so `position="10"` comes before `position="2"`;
//! a histogram's samples (`_bucket` with `le` last, then `_sum`, `_count`)
//! stay together, as its encoder writes them.
//!
//! Most families have one source whose per-series label (if any) sorts after
//! every constant label; their series are walked straight from the sorted
//! instances. The others (a metric fed by several struct types, a label that
//! sorts among the constant ones) are collected and sorted.

use crate::cells::{Reading, SeriesKey};
use crate::instance::Instance;
use crate::own;
use crate::text::{cmp_label_text, label_pairs, write_value};

use super::plan::{
    write_labels, Extra, ExtraValue, Family, Plan, Read, Source, SCRAPE_ENCODINGS, SCRAPE_FORMATS,
};

/// Which sample of a series this is.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Part {
    /// The value of a gauge or counter.
    Value,
    /// A histogram bucket, by its upper bound (`None` for `+Inf`).
    Bucket(Option<f64>),
    /// A histogram's sum.
    Sum,
    /// A histogram's count.
    Count,
}

impl Part {
    /// What follows the family name in the sample's name.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Part::Value => "",
            Part::Bucket(_) => "_bucket",
            Part::Sum => "_sum",
            Part::Count => "_count",
        }
    }
}

/// One sample as the renderers see it.
pub(crate) struct Sample<'a> {
    /// Constant labels, escaped `name="value"` text sorted by name.
    pub(crate) labels: &'a str,
    pub(crate) extras: &'a [Extra],
    /// The position or key of a per-series field's series.
    pub(crate) key: Option<SeriesKey<'a>>,
    pub(crate) part: Part,
    pub(crate) value: f64,
}

impl Sample<'_> {
    /// Whether the sample has any label.
    pub(crate) fn has_labels(&self) -> bool {
        !self.labels.is_empty() || !self.extras.is_empty() || matches!(self.part, Part::Bucket(_))
    }

    /// Appends every label, escaped, without braces: the series' labels
    /// sorted by name, then a bucket's `le` (last, where the `prometheus`
    /// crate's encoder writes it).
    pub(crate) fn write_labels(&self, out: &mut String) {
        let start = out.len();
        write_labels(out, self.labels, self.extras, self.key);
        if let Part::Bucket(bound) = self.part {
            if out.len() > start {
                out.push(',');
            }
            out.push_str("le=\"");
            match bound {
                Some(bound) => write_value(out, bound),
                None => out.push_str("+Inf"),
            }
            out.push('"');
        }
    }
}

/// Reusable space for reading histograms during one render.
#[derive(Default)]
pub(crate) struct Scratch {
    buckets: Vec<u64>,
}

/// Calls `each` for every sample of `family` registered on the level with
/// `scope` or below it, in `gather()` order.
pub(crate) fn for_each(
    plan: &Plan,
    family: &Family,
    scope: &[(String, String)],
    scratch: &mut Scratch,
    mut each: impl FnMut(&Sample<'_>),
) {
    if let [source] = family.sources.as_slice() {
        if walks_in_order(plan, source) {
            read_source(plan, family, source, scope, scratch, &mut each);
            return;
        }
    }
    // (the series' labels, its part, its value): sorted by the labels only,
    // stably, so a histogram's samples keep their order.
    let mut collected: Vec<(String, Part, f64)> = Vec::new();
    for source in &family.sources {
        read_source(plan, family, source, scope, scratch, &mut |sample| {
            let mut labels = String::new();
            write_labels(&mut labels, sample.labels, sample.extras, sample.key);
            collected.push((labels, sample.part, sample.value));
        });
    }
    collected.sort_by(|a, b| cmp_series_labels(&a.0, &b.0));
    for (labels, part, value) in &collected {
        each(&Sample {
            labels,
            extras: &[],
            key: None,
            part: *part,
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

/// Whether the samples of `source` come out in order when its instances are
/// walked in label order: it has no per-series label before a constant one.
fn walks_in_order(plan: &Plan, source: &Source) -> bool {
    match source {
        Source::Class { class, extras, .. } => {
            let constant = plan.class(*class).map_or(0, |c| c.label_names.len());
            extras
                .iter()
                .all(|e| matches!(e.value, ExtraValue::Fixed(_)) || e.at == constant)
        }
        Source::Conflicts | Source::Scrapes => true,
    }
}

fn read_source(
    plan: &Plan,
    family: &Family,
    source: &Source,
    scope: &[(String, String)],
    scratch: &mut Scratch,
    each: &mut dyn FnMut(&Sample<'_>),
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
                    let at = At {
                        instance,
                        extras,
                        buckets: family.buckets,
                    };
                    at.read(*index, *read, scratch, each);
                }
            }
        }
        Source::Scrapes => {
            for (e, encoding) in SCRAPE_ENCODINGS.iter().enumerate() {
                for (f, format) in SCRAPE_FORMATS.iter().enumerate() {
                    let count = plan.scrapes[e][f].load(std::sync::atomic::Ordering::Relaxed);
                    if count == 0 {
                        continue;
                    }
                    let labels = label_pairs(&[
                        (own::LABEL_ENCODING, *encoding),
                        (own::LABEL_FORMAT, *format),
                    ]);
                    each(&Sample {
                        labels: &labels,
                        extras: &[],
                        key: None,
                        part: Part::Value,
                        value: count as f64,
                    });
                }
            }
        }
        Source::Conflicts => {
            let conflicts = plan.conflicts.lock().unwrap_or_else(|e| e.into_inner());
            for (metric, count) in conflicts.iter() {
                let labels = label_pairs(&[
                    (own::LABEL_METRIC, &**metric),
                    (
                        own::LABEL_REASON,
                        crate::cells::Reason::ForeignConflict.as_str(),
                    ),
                ]);
                each(&Sample {
                    labels: &labels,
                    extras: &[],
                    key: None,
                    part: Part::Value,
                    value: *count as f64,
                });
            }
        }
    }
}

/// One instance as a source reads it.
struct At<'a> {
    instance: &'a Instance,
    extras: &'a [Extra],
    buckets: &'static [f64],
}

impl<'a> At<'a> {
    fn sample(&self, key: Option<SeriesKey<'a>>, part: Part, value: f64) -> Sample<'a> {
        Sample {
            labels: &self.instance.labels,
            extras: self.extras,
            key,
            part,
            value,
        }
    }

    fn read(
        &self,
        index: usize,
        read: Read,
        scratch: &mut Scratch,
        each: &mut dyn FnMut(&Sample<'_>),
    ) {
        let reading = self.instance.values.reading(index);
        if let Read::Dropped(reason) = read {
            // A series appears with the first value dropped: a producer that
            // drops nothing adds no series.
            let count = reading.drops().map_or(0, |drops| drops.get(reason));
            if count > 0 {
                each(&self.sample(None, Part::Value, count as f64));
            }
            return;
        }
        match reading {
            Reading::Absent => {}
            Reading::Gauge(gauge) => {
                if let Some(value) = gauge.value() {
                    each(&self.sample(None, Part::Value, value));
                }
            }
            Reading::Counter(counter) => {
                if let Some(value) = counter.value() {
                    each(&self.sample(None, Part::Value, value));
                }
            }
            Reading::Series(series) => series.for_each_series(&mut |key, value| {
                each(&self.sample(Some(key), Part::Value, value));
            }),
            Reading::Histogram(histogram) => {
                let sum = histogram.snapshot(&mut scratch.buckets);
                let counts = &scratch.buckets;
                let bounds = self.buckets.iter().map(|&b| Some(b)).chain([None]);
                for (bound, &count) in bounds.zip(counts) {
                    each(&self.sample(None, Part::Bucket(bound), count as f64));
                }
                let total = counts.last().copied().unwrap_or(0);
                each(&self.sample(None, Part::Sum, sum));
                each(&self.sample(None, Part::Count, total as f64));
            }
        }
    }
}
