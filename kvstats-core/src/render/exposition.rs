//! The text exposition, in the Prometheus text format 0.0.4 or in
//! OpenMetrics 1.0.0, written from the plan and the cells, with the families
//! of `prometheus` collectors merged in by name so every name has one family.
//!
//! Both formats write the very same sample lines; they differ in the family
//! headers (OpenMetrics names a counter's family without `_total`, escapes
//! `"` in help, and says the unit), in timestamps (seconds, not
//! milliseconds), in a histogram with negative buckets (OpenMetrics allows no
//! `_sum` there, so it has neither `_sum` nor `_count`) and in the `# EOF`
//! that ends OpenMetrics.
//!
//! A foreign family whose name is also one of ours is merged into ours when
//! it has the same type, help and label names (a series with the same labels
//! as one of ours is left out); otherwise it is left out. Either way the
//! exposition stays valid, and what was left out is counted in
//! [`own::DROPPED_VALUES`] with `reason="foreign_conflict"`.

use std::sync::atomic::Ordering::Relaxed;

use prometheus::proto::{MetricFamily, MetricType};

use crate::error::Result;
use crate::metric::MetricKind;
use crate::text::{label_pairs, write_value};

use super::format::Format;
use super::plan::{Family, Plan};
use super::series::{self, cmp_series_labels, Part, Sample, Scratch};

/// Appends the exposition of every series under `scope`, and of `foreign`
/// (sorted by name, as `gather()` returns it), to `out`, in `format`.
pub(crate) fn write(
    plan: &Plan,
    scope: &[(String, String)],
    foreign: &[MetricFamily],
    format: Format,
    out: &mut String,
) -> Result<()> {
    count_conflicts(plan, foreign);
    let start = out.len();
    // A little more than last time: the values' digits vary between scrapes.
    let hint = plan.last_len.load(Relaxed);
    out.reserve(hint + hint / 16);
    let encoder = prometheus::TextEncoder::new();
    let write_foreign = |theirs: &MetricFamily, out: &mut String| match format {
        Format::Text => encoder.encode_utf8(std::slice::from_ref(theirs), out),
        Format::OpenMetrics => {
            super::foreign::write_openmetrics(theirs, out);
            Ok(())
        }
    };
    let mut scratch = Scratch::default();
    let mut foreign = foreign.iter().peekable();
    for family in plan.families.values() {
        while let Some(theirs) = foreign.next_if(|f| f.name() < &*family.name) {
            write_foreign(theirs, out)?;
        }
        match foreign.next_if(|f| f.name() == &*family.name) {
            Some(theirs) if compatible(family, theirs) => {
                write_merged(plan, family, scope, theirs, format, &mut scratch, out);
            }
            _ => write_family(plan, family, scope, format, &mut scratch, out),
        }
    }
    for theirs in foreign {
        write_foreign(theirs, out)?;
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    plan.last_len.store(out.len() - start, Relaxed);
    Ok(())
}

/// The header of `family` in `format`.
fn header(family: &Family, format: Format) -> &str {
    match format {
        Format::Text => &family.header,
        Format::OpenMetrics => &family.openmetrics_header,
    }
}

/// Writes one family; leaves it out when it has no series under `scope`.
fn write_family(
    plan: &Plan,
    family: &Family,
    scope: &[(String, String)],
    format: Format,
    scratch: &mut Scratch,
    out: &mut String,
) {
    let start = out.len();
    out.push_str(header(family, format));
    let after_header = out.len();
    // OpenMetrics allows no `_sum` beside negative buckets, and no `_count`
    // without a `_sum`.
    let sumless = format == Format::OpenMetrics && family.buckets.first().is_some_and(|b| *b < 0.0);
    series::for_each(plan, family, scope, scratch, |s| {
        if !(sumless && matches!(s.part, Part::Sum | Part::Count)) {
            write_sample(out, &family.name, s);
        }
    });
    if out.len() == after_header {
        out.truncate(start);
    }
}

/// One sample line: `name[_suffix]{labels} value`.
fn write_sample(out: &mut String, name: &str, sample: &Sample<'_>) {
    out.push_str(name);
    out.push_str(sample.part.suffix());
    if sample.has_labels() {
        out.push('{');
        sample.write_labels(out);
        out.push('}');
    }
    out.push(' ');
    write_value(out, sample.value);
    out.push('\n');
}

/// Whether a foreign family can share a name with `ours`: same type, help
/// and label names.
fn compatible(ours: &Family, theirs: &MetricFamily) -> bool {
    let kind = match theirs.get_field_type() {
        MetricType::GAUGE => MetricKind::Gauge,
        MetricType::COUNTER => MetricKind::Counter,
        _ => return false,
    };
    let Some(names) = &ours.label_names else {
        return false;
    };
    kind == ours.kind
        && theirs.help() == &*ours.help
        && theirs.get_metric().iter().all(|m| {
            let mut theirs: Vec<&str> = m.get_label().iter().map(|l| l.name()).collect();
            theirs.sort_unstable();
            theirs.iter().copied().eq(names.iter().map(|n| &**n))
        })
}

/// Counts (once per scrape) each foreign family that clashes with ours.
fn count_conflicts(plan: &Plan, foreign: &[MetricFamily]) {
    let clashing = foreign.iter().filter(|theirs| {
        plan.families
            .get(theirs.name())
            .is_some_and(|ours| !compatible(ours, theirs))
    });
    for theirs in clashing {
        plan.count_conflict(theirs.name());
    }
}

/// Our family with the series of a compatible foreign one merged in order;
/// a foreign series with the labels of one of ours is left out and counted.
fn write_merged(
    plan: &Plan,
    family: &Family,
    scope: &[(String, String)],
    theirs: &MetricFamily,
    format: Format,
    scratch: &mut Scratch,
    out: &mut String,
) {
    // (labels, value, timestamp, ours)
    let mut samples: Vec<(String, f64, Option<i64>, bool)> = Vec::new();
    series::for_each(plan, family, scope, scratch, |s| {
        let mut labels = String::new();
        s.write_labels(&mut labels);
        samples.push((labels, s.value, None, true));
    });
    for metric in theirs.get_metric() {
        let mut pairs: Vec<(&str, &str)> = metric
            .get_label()
            .iter()
            .map(|l| (l.name(), l.value()))
            .collect();
        pairs.sort_unstable();
        let labels = label_pairs(&pairs);
        let value = match family.kind {
            MetricKind::Counter => metric.get_counter().get_value(),
            MetricKind::Gauge => metric.get_gauge().get_value(),
            // Never merged: see `compatible`.
            MetricKind::Histogram => continue,
        };
        // 0 is "no timestamp", as the `prometheus` crate's encoder reads it.
        let timestamp = Some(metric.timestamp_ms()).filter(|&ms| ms != 0);
        samples.push((labels, value, timestamp, false));
    }
    // Ours before theirs among equal labels, so the duplicate dropped is theirs.
    samples.sort_by(|a, b| cmp_series_labels(&a.0, &b.0).then(b.3.cmp(&a.3)));
    let before = samples.len();
    samples.dedup_by(|later, kept| later.0 == kept.0);
    if samples.len() < before {
        plan.count_conflict(&family.name);
    }
    if samples.is_empty() {
        return;
    }
    out.push_str(header(family, format));
    for (labels, value, timestamp, _) in &samples {
        out.push_str(&family.name);
        if !labels.is_empty() {
            out.push('{');
            out.push_str(labels);
            out.push('}');
        }
        out.push(' ');
        write_value(out, *value);
        if let Some(ms) = timestamp {
            out.push(' ');
            super::foreign::write_timestamp(*ms, format, out);
        }
        out.push('\n');
    }
}
