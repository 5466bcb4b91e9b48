//! OpenMetrics 1.0.0 text: the same samples as the text format 0.0.4, with
//! OpenMetrics' family headers (a counter's family without `_total`, units),
//! and `# EOF` at the end; and what a scraper's headers get from `respond`.
//! Every OpenMetrics text here is also read by prometheus_client's strict
//! OpenMetrics parser, which must read it as our reader does.

use std::time::Duration;

use harness::{exposition, python};
use kvstats_core::prometheus;
use kvstats_core::scrape::{self, Encoding};
use kvstats_core::{Format, MetricsRegistry, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "om")]
struct Step {
    /// Requests "running" now
    requests_running: u64,
    /// Time spent in prefill, ever
    #[prom(counter, unit = "seconds")]
    prefill_time: f64,
    /// Time to first token
    #[prom(histogram(buckets = [0.5, 1]))]
    ttft: Vec<Duration>,
    /// A value that can go below 0
    #[prom(histogram(buckets = [-1, 0, 1]))]
    drift: Vec<f64>,
}

/// `text` read alike by prometheus_client's OpenMetrics parser and ours (by
/// ours alone when `KVSTATS_SKIP_PYTHON=1` and Python is missing).
fn assert_read_alike(text: &str) {
    if python::required() {
        python::assert_read_alike(text, Format::OpenMetrics);
    } else if let Err(e) = exposition::openmetrics::families(text) {
        panic!("our OpenMetrics reader: {e}\n{text}");
    }
}

fn registry() -> Registry {
    let registry = Registry::with_prefix("").unwrap();
    let gauges = StepGauges::register(&registry).unwrap();
    gauges.keep_registered();
    gauges.update_from(&Step {
        requests_running: 3,
        prefill_time: 1.5,
        ttft: vec![Duration::from_millis(250), Duration::from_secs(2)],
        drift: vec![-0.5, 0.5],
    });
    registry
}

#[test]
fn openmetrics_names_families_says_units_and_ends_with_eof() {
    let text = registry().exposition(Format::OpenMetrics).unwrap();
    let expected = "\
# HELP om_drift A value that can go below 0
# TYPE om_drift histogram
om_drift_bucket{le=\"-1\"} 0
om_drift_bucket{le=\"0\"} 1
om_drift_bucket{le=\"1\"} 2
om_drift_bucket{le=\"+Inf\"} 2
# HELP om_prefill_time_seconds Time spent in prefill, ever
# TYPE om_prefill_time_seconds counter
# UNIT om_prefill_time_seconds seconds
om_prefill_time_seconds_total 1.5
# HELP om_requests_running Requests \\\"running\\\" now
# TYPE om_requests_running gauge
om_requests_running 3
# HELP om_ttft_seconds Time to first token
# TYPE om_ttft_seconds histogram
# UNIT om_ttft_seconds seconds
om_ttft_seconds_bucket{le=\"0.5\"} 1
om_ttft_seconds_bucket{le=\"1\"} 1
om_ttft_seconds_bucket{le=\"+Inf\"} 2
om_ttft_seconds_sum 2.25
om_ttft_seconds_count 2
# EOF
";
    assert_eq!(text, expected);
    assert_read_alike(&text);
    // The text format has the same samples, and the sum and count OpenMetrics
    // leaves out beside negative buckets.
    let text = registry().prometheus_text().unwrap();
    assert!(
        text.contains("om_drift_sum 0\nom_drift_count 2\n"),
        "{text}"
    );
    assert!(text.contains("# TYPE om_prefill_time_seconds_total counter\n"));
}

#[test]
fn foreign_families_are_written_in_openmetrics_too() {
    let registry = registry();
    let requests = prometheus::IntCounter::new("http_requests_total", "Requests").unwrap();
    requests.inc_by(2);
    registry.register_collector(Box::new(requests)).unwrap();
    // A counter named without `_total` gets it on its sample.
    let jobs = prometheus::Counter::new("jobs", "Jobs done").unwrap();
    jobs.inc_by(2.5);
    registry.register_collector(Box::new(jobs)).unwrap();
    let text = registry.exposition(Format::OpenMetrics).unwrap();
    assert!(
        text.contains(
            "# HELP http_requests Requests\n# TYPE http_requests counter\nhttp_requests_total 2\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("# HELP jobs Jobs done\n# TYPE jobs counter\njobs_total 2.5\n"),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"));
    assert_read_alike(&text);
}

/// What Prometheus 2.x sends.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,\
    application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

#[test]
fn respond_negotiates_format_and_gzip_and_counts_what_it_answered() {
    let registry = registry();
    let plain = scrape::respond(&registry, None, None);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.format, Format::Text);
    assert_eq!(plain.encoding, Encoding::Identity);
    assert_eq!(
        plain.headers,
        [
            ("content-type", kvstats_core::CONTENT_TYPE.to_owned()),
            ("vary", "Accept, Accept-Encoding".to_owned()),
        ]
    );
    let open = scrape::respond(&registry, Some(PROMETHEUS_ACCEPT), Some("gzip"));
    assert_eq!(open.format, Format::OpenMetrics);
    // Small bodies stay uncompressed.
    assert!(
        open.body.len() < scrape::GZIP_MIN_BYTES,
        "{}",
        open.body.len()
    );
    assert_eq!(open.encoding, Encoding::Identity);
    assert_eq!(open.header("content-encoding"), None);
    assert_read_alike(std::str::from_utf8(&open.body).unwrap());

    // A big one is compressed, and decompresses to the exposition.
    let big = Registry::with_prefix("").unwrap();
    let ranks: Vec<_> = (0..200)
        .map(|rank| {
            StepGauges::register_with_labels(&big, &[("dp_rank", &rank.to_string())]).unwrap()
        })
        .collect();
    let gzipped = scrape::respond(&big, Some(PROMETHEUS_ACCEPT), Some("gzip, deflate"));
    assert_eq!(gzipped.encoding, Encoding::Gzip);
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    let mut decoder = flate2::read::GzDecoder::new(gzipped.body.as_slice());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut decoder, &mut text).unwrap();
    assert!(text.ends_with("# EOF\n"));
    assert_read_alike(&text);
    assert!(
        text.len() > 5 * gzipped.body.len(),
        "{} -> {}",
        text.len(),
        gzipped.body.len()
    );
    drop(ranks);

    // Each answer was counted by format and encoding.
    let counted = registry.prometheus_text().unwrap();
    let lines: Vec<&str> = counted
        .lines()
        .filter(|l| l.starts_with("kvstats_scrapes_total"))
        .collect();
    assert_eq!(
        lines,
        [
            r#"kvstats_scrapes_total{encoding="identity",format="openmetrics"} 1"#,
            r#"kvstats_scrapes_total{encoding="identity",format="text"} 1"#,
        ]
    );
}
