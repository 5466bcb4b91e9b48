//! The scrape: `prometheus_text()` against `gather()` + `TextEncoder` on the
//! same gauges registered by hand, for the 4 KvStats metrics and for 1,000
//! series (250 labelled instances x 4).
//!
//! `cargo bench --bench scrape`; the ratios are printed at the end.

mod support;

use std::hint::black_box;

use criterion::Criterion;
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::Registry;
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

fn main() {
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();
    scrape(&mut c, "scrape_4_series", 1);
    scrape(&mut c, "scrape_1000_series", 250);
    c.final_summary();
    print_ratios("scrape_4_series", "kvstats", &["gather_text_encoder"]);
    print_ratios("scrape_1000_series", "kvstats", &["gather_text_encoder"]);
}
