//! What the formats and compression a scraper negotiates cost, in one run,
//! on a mix of every kind (a gauge, counters of a total and of deltas, a
//! histogram, keyed and per-position series: 10 series per rank) at 1,000
//! and 10,000 series:
//!
//! 1. gzip: bytes on the wire of one scrape (printed once) and CPU time per
//!    scrape of `scrape::respond` with and without `Accept-Encoding: gzip`,
//!    both asking for OpenMetrics as Prometheus does;
//! 2. OpenMetrics against the text format 0.0.4: rendering the same
//!    registry in each (the target: OpenMetrics at most 1.1x the text).
//!
//! Before anything is timed, both formats are read back and must hold the
//! same samples, and the gzipped body must decompress to the plain one.
//!
//! `cargo bench --bench formats`; the ratios are printed at the end.

mod support;

use std::hint::black_box;
use std::io::Read as _;
use std::time::Duration;

use criterion::Criterion;
use kvstats_core::scrape::{self, Encoding};
use kvstats_core::{Format, MetricsRegistry, PromGauges, Registry};
use support::*;

/// One rank's statistics: 10 series, every kind.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "engine")]
struct Mix {
    /// Requests running now
    requests_running: u64,
    /// Prompt tokens processed since the process started
    #[prom(counter)]
    prompt_tokens: u64,
    /// Generation tokens produced in this step
    #[prom(counter, delta, name = "generation_tokens")]
    step_generation_tokens: u64,
    /// Time to first token of each request that got its first token this step
    #[prom(histogram(buckets = [0.1, 1]), name = "time_to_first_token")]
    ttft: Vec<Duration>,
    /// Requests finished this step, by reason
    #[prom(counter, delta, label = "finished_reason")]
    finished: Vec<(&'static str, u64)>,
    /// Tokens accepted at each draft position this step
    #[prom(counter, delta, label = "position")]
    accepted_per_position: Vec<u32>,
}

/// Series per rank: a gauge, two counters, a histogram's 3 buckets, sum and
/// count, a keyed and a per-position series.
const PER_RANK: usize = 10;
/// The sizes compared, in series.
const SIZES: [usize; 2] = [1_000, 10_000];
/// What Prometheus 2.x sends.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,\
    application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// A registry of `series` series, on ranks `dp_rank` 0, 1, 2, ...
fn setup(series: usize) -> Registry {
    let (registry, component) = harness::fixtures::backend();
    for rank in 0..series / PER_RANK {
        let gauges =
            MixGauges::register_with_labels(&component, &[("dp_rank", &rank.to_string())]).unwrap();
        gauges.keep_registered();
        gauges.update_from(&Mix {
            requests_running: 3 + rank as u64,
            prompt_tokens: 1_000 * rank as u64,
            step_generation_tokens: 10,
            ttft: vec![Duration::from_millis(50), Duration::from_millis(700)],
            finished: vec![("stop", 1)],
            accepted_per_position: vec![2],
        });
    }
    registry
}

/// Both formats hold the same `series` samples, and gzip decompresses to
/// the plain body; returns the plain and gzipped body sizes.
fn check(registry: &Registry, series: usize) -> (usize, usize) {
    let text = registry.exposition(Format::Text).unwrap();
    let openmetrics = registry.exposition(Format::OpenMetrics).unwrap();
    let ours = harness::exposition::parse_published(&text).unwrap();
    let theirs = harness::exposition::parse_published_as(&openmetrics, Format::OpenMetrics);
    assert_eq!(ours.len(), series, "sample lines");
    assert_eq!(Ok(ours), theirs, "both formats hold the same samples");

    let plain = scrape::respond(registry, Some(PROMETHEUS_ACCEPT), None);
    let gzipped = scrape::respond(registry, Some(PROMETHEUS_ACCEPT), Some("gzip"));
    assert_eq!(gzipped.encoding, Encoding::Gzip);
    let mut body = Vec::new();
    flate2::read::GzDecoder::new(gzipped.body.as_slice())
        .read_to_end(&mut body)
        .unwrap();
    // Equal but for the scrape counter, which the first answer changed.
    let without_counter = |body: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(body)
            .lines()
            .filter(|line| !line.contains("kvstats_scrapes"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(without_counter(&body), without_counter(&plain.body));
    (plain.body.len(), gzipped.body.len())
}

fn gzip_group(series: usize) -> String {
    format!("gzip_{series}_series")
}

fn render_group(series: usize) -> String {
    format!("formats_{series}_series")
}

fn bench(c: &mut Criterion, registry: &Registry, series: usize) {
    let mut g = c.benchmark_group(gzip_group(series));
    g.sample_size(if series >= 10_000 { 20 } else { 50 });
    g.bench_function("identity", |b| {
        b.iter(|| black_box(scrape::respond(registry, Some(PROMETHEUS_ACCEPT), None)))
    });
    g.bench_function("gzip", |b| {
        b.iter(|| {
            black_box(scrape::respond(
                registry,
                Some(PROMETHEUS_ACCEPT),
                Some("gzip"),
            ))
        })
    });
    g.finish();

    let mut g = c.benchmark_group(render_group(series));
    g.sample_size(if series >= 10_000 { 20 } else { 50 });
    for (name, format) in [("text", Format::Text), ("openmetrics", Format::OpenMetrics)] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(registry.exposition(format).unwrap()))
        });
    }
    g.finish();
}

fn main() {
    let mut c = short_criterion();
    let registries = SIZES.map(setup);
    println!("\nbytes of one OpenMetrics scrape, as Prometheus asks for it");
    for (registry, series) in registries.iter().zip(SIZES) {
        let (plain, gzipped) = check(registry, series);
        println!(
            "  {series:>6} series: {plain:>9} B plain, {gzipped:>8} B gzip   gzip / plain = {:.3} ({:.1}x smaller)",
            gzipped as f64 / plain as f64,
            plain as f64 / gzipped as f64
        );
    }
    for (registry, series) in registries.iter().zip(SIZES) {
        bench(&mut c, registry, series);
    }
    c.final_summary();
    for series in SIZES {
        print_ratios(&gzip_group(series), "gzip", &["identity"]);
        print_ratios(&render_group(series), "openmetrics", &["text"]);
    }
}
