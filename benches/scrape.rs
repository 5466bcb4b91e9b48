//! The scrape: `prometheus_text()` against `gather()` + `TextEncoder` on the
//! same gauges registered by hand, for the 4 KvStats metrics and for 1,000
//! series (250 labelled instances x 4); and a whole scrape of the 1,000
//! series over HTTP on 127.0.0.1, from the bundled server and from the same
//! routes mounted in an axum app.
//!
//! `cargo bench --bench scrape`; the ratios are printed at the end.

mod support;

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use harness::http::Connection;
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::Registry;
use support::servers::Servers;
use support::*;

/// Our registry and the hand-written one, each holding `instances` KvStats
/// groups with the same values.
fn setups(instances: usize) -> (Registry, prometheus::Registry) {
    let (ours, component) = harness::fixtures::backend();
    let hand = prometheus::Registry::new();
    for i in 0..instances {
        let stats = KvStats {
            kv_active_blocks: 1000 + i as u64,
            ..kv_stats()
        };
        let rank = i.to_string();
        let labels: &[(&str, &str)] = if instances == 1 {
            &[]
        } else {
            &[("dp_rank", &rank)]
        };
        let gauges = KvStatsGauges::register_with_labels(&component, labels).unwrap();
        gauges.update_from(&stats);
        // A dropped handle takes its series out of the registry.
        gauges.keep_registered();
        HandKv::register(&hand, labels).update(&stats);
    }
    let text = ours.prometheus_text().unwrap();
    let encoded = prometheus::TextEncoder::new()
        .encode_to_string(&hand.gather())
        .unwrap();
    assert_eq!(text, encoded, "both sides must render the same exposition");
    (ours, hand)
}

fn scrape(c: &mut Criterion, group: &str, instances: usize) {
    let (ours, hand) = setups(instances);
    let encoder = prometheus::TextEncoder::new();
    let mut g = c.benchmark_group(group);
    g.bench_function("kvstats", |b| {
        b.iter(|| black_box(ours.prometheus_text().unwrap()))
    });
    g.bench_function("gather_text_encoder", |b| {
        b.iter(|| black_box(encoder.encode_to_string(&hand.gather()).unwrap()))
    });
    g.finish();
}

/// `GET /metrics` of the 1,000 series over a kept-alive connection, as
/// Prometheus scrapes, from each server. Servers and client share one
/// thread, so each measure is the whole work of a scrape on both ends;
/// the client's part is the same for both.
fn scrape_over_http(c: &mut Criterion) {
    let (registry, _hand) = setups(250);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let servers = runtime.block_on(Servers::start(&registry));
    let mut g = c.benchmark_group("scrape_http_1000_series");
    for (id, addr) in servers.each() {
        let mut connection = runtime.block_on(Connection::open(addr)).unwrap();
        g.bench_function(id, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let (status, body) = connection.get_bytes("/metrics").await.unwrap();
                        assert_eq!(status, 200);
                        black_box(body);
                    }
                    start.elapsed()
                })
            })
        });
    }
    g.finish();
    runtime.block_on(servers.metrics_server.shutdown());
}

fn main() {
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();
    scrape(&mut c, "scrape_4_series", 1);
    scrape(&mut c, "scrape_1000_series", 250);
    scrape_over_http(&mut c);
    c.final_summary();
    print_ratios("scrape_4_series", "kvstats", &["gather_text_encoder"]);
    print_ratios("scrape_1000_series", "kvstats", &["gather_text_encoder"]);
    print_ratios("scrape_http_1000_series", "axum_tower", &["metrics_server"]);
}
