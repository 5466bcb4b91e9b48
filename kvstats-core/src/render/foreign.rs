//! The families of `prometheus` collectors (protobuf, as `gather()` returns
//! them) written in OpenMetrics 1.0.0, which the `prometheus` crate has no
//! encoder for; the text format 0.0.4 uses its own `TextEncoder`.

use prometheus::proto::{LabelPair, Metric, MetricFamily, MetricType};

use crate::text::{escape_help, escape_label_value, openmetrics_name, write_integer, write_value};

use super::format::Format;

/// Appends `family` in OpenMetrics: header, then every metric's samples.
pub(crate) fn write_openmetrics(family: &MetricFamily, out: &mut String) {
    let kind = match family.get_field_type() {
        MetricType::COUNTER => "counter",
        MetricType::GAUGE => "gauge",
        MetricType::HISTOGRAM => "histogram",
        MetricType::SUMMARY => "summary",
        MetricType::UNTYPED => "unknown",
    };
    let name = openmetrics_name(family.name(), kind);
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    escape_help(family.help(), true, out);
    out.push_str("\n# TYPE ");
    out.push_str(name);
    out.push(' ');
    out.push_str(kind);
    out.push('\n');
    for metric in family.get_metric() {
        let sample = |suffix: &str, extra: Option<(&str, &str)>, value: f64, out: &mut String| {
            write_sample(out, name, suffix, metric, extra, value);
        };
        match family.get_field_type() {
            MetricType::COUNTER => sample("_total", None, metric.get_counter().get_value(), out),
            MetricType::GAUGE => sample("", None, metric.get_gauge().get_value(), out),
            // Deprecated only for its protobuf flavour; the one way to read it.
            #[allow(deprecated)]
            MetricType::UNTYPED => sample("", None, metric.get_untyped().get_value(), out),
            MetricType::HISTOGRAM => {
                let histogram = metric.get_histogram();
                let mut infinite = false;
                let mut negative = false;
                for bucket in histogram.get_bucket() {
                    let bound = bucket.upper_bound();
                    infinite |= bound == f64::INFINITY;
                    negative |= bound < 0.0;
                    let mut le = String::new();
                    write_value(&mut le, bound);
                    let count = bucket.cumulative_count() as f64;
                    sample("_bucket", Some(("le", &le)), count, out);
                }
                let count = histogram.get_sample_count() as f64;
                if !infinite {
                    sample("_bucket", Some(("le", "+Inf")), count, out);
                }
                // OpenMetrics allows no `_sum` beside negative buckets.
                if !negative {
                    sample("_sum", None, histogram.get_sample_sum(), out);
                    sample("_count", None, count, out);
                }
            }
            MetricType::SUMMARY => {
                let summary = metric.get_summary();
                for quantile in summary.get_quantile() {
                    let mut q = String::new();
                    write_value(&mut q, quantile.quantile());
                    sample("", Some(("quantile", &q)), quantile.value(), out);
                }
                sample("_sum", None, summary.sample_sum(), out);
                sample("_count", None, summary.sample_count() as f64, out);
            }
        }
    }
}

/// One sample line, the metric's labels sorted by name, then `extra`.
fn write_sample(
    out: &mut String,
    name: &str,
    suffix: &str,
    metric: &Metric,
    extra: Option<(&str, &str)>,
    value: f64,
) {
    out.push_str(name);
    out.push_str(suffix);
    let mut labels: Vec<&LabelPair> = metric.get_label().iter().collect();
    labels.sort_by(|a, b| a.name().cmp(b.name()));
    let pairs = labels
        .iter()
        .map(|pair| (pair.name(), pair.value()))
        .chain(extra);
    let mut first = true;
    for (label, label_value) in pairs {
        out.push(if first { '{' } else { ',' });
        first = false;
        out.push_str(label);
        out.push_str("=\"");
        escape_label_value(label_value, out);
        out.push('"');
    }
    if !first {
        out.push('}');
    }
    out.push(' ');
    write_value(out, value);
    let ms = metric.timestamp_ms();
    if ms != 0 {
        out.push(' ');
        write_timestamp(ms, Format::OpenMetrics, out);
    }
    out.push('\n');
}

/// Appends a timestamp given in milliseconds: as is for the text format,
/// in seconds (`1700000000.123`) for OpenMetrics.
pub(crate) fn write_timestamp(ms: i64, format: Format, out: &mut String) {
    match format {
        Format::Text => write_integer(out, ms),
        Format::OpenMetrics => {
            if ms < 0 {
                out.push('-');
            }
            let ms = ms.unsigned_abs();
            write_integer(out, (ms / 1000) as i64);
            let millis = ms % 1000;
            if millis != 0 {
                out.push('.');
                out.push_str(&format!("{millis:03}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timestamp(ms: i64, format: Format) -> String {
        let mut out = String::new();
        write_timestamp(ms, format, &mut out);
        out
    }

    #[test]
    fn timestamps_are_milliseconds_in_text_and_seconds_in_openmetrics() {
        assert_eq!(timestamp(1_700_000_000_123, Format::Text), "1700000000123");
        assert_eq!(
            timestamp(1_700_000_000_123, Format::OpenMetrics),
            "1700000000.123"
        );
        assert_eq!(
            timestamp(1_700_000_000_000, Format::OpenMetrics),
            "1700000000"
        );
        assert_eq!(timestamp(-1_500, Format::OpenMetrics), "-1.500");
    }

    #[test]
    fn a_foreign_counter_gets_its_family_name_and_total_sample() {
        let counter =
            prometheus::IntCounter::new("http_requests_total", "Requests \"served\"").unwrap();
        counter.inc();
        let registry = prometheus::Registry::new();
        registry.register(Box::new(counter)).unwrap();
        let mut out = String::new();
        for family in registry.gather() {
            write_openmetrics(&family, &mut out);
        }
        assert_eq!(
            out,
            "# HELP http_requests Requests \\\"served\\\"\n# TYPE http_requests counter\n\
             http_requests_total 1\n"
        );
    }
}
