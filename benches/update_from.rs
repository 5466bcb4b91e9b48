//! The publisher's hot path: `update_from` against hand-written gauges, the
//! reference's locked version, `GaugeVec` lookups and raw atomic stores.
//!
//! `cargo bench --bench update_from`; the ratios are printed at the end.

mod support;

use std::hint::black_box;

use criterion::Criterion;
use kvstats_core::dynamo::{ForwardPassMetricsGauges, KvStatsGauges};
use support::*;

fn kvstats(c: &mut Criterion) {
    let stats = kv_stats();
    let (_registry, component) = harness::fixtures::backend();
    let ours = KvStatsGauges::register(&component).unwrap();
    let prom = prometheus::Registry::new();
    let hand = HandKv::register(&prom, &[("dp_rank", "0")]);
    let locked = RefKv::register(&prom, &[("dp_rank", "1")]);
    let vec = VecKv::register(&prometheus::Registry::new());
    let raw = RawKv::default();

    let mut g = c.benchmark_group("update_from_kvstats");
    g.bench_function("kvstats", |b| {
        b.iter(|| ours.update_from(black_box(&stats)))
    });
    g.bench_function("prometheus_gauges", |b| {
        b.iter(|| hand.update(black_box(&stats)))
    });
    g.bench_function("rwlock_option_arc", |b| {
        b.iter(|| locked.update(black_box(&stats)))
    });
    g.bench_function("gauge_vec_lookup", |b| {
        b.iter(|| vec.update(black_box(&stats)))
    });
    g.bench_function("raw_atomics", |b| b.iter(|| raw.update(black_box(&stats))));
    g.finish();
}

fn forward_pass_metrics(c: &mut Criterion) {
    let stats = forward_pass();
    let (_registry, component) = harness::fixtures::backend();
    let ours = ForwardPassMetricsGauges::register(&component).unwrap();
    let hand = HandFull::register(&prometheus::Registry::new());
    let raw = RawFull::default();

    let mut g = c.benchmark_group("update_from_forward_pass");
    g.bench_function("kvstats", |b| {
        b.iter(|| ours.update_from(black_box(&stats)))
    });
    g.bench_function("prometheus_gauges", |b| {
        b.iter(|| hand.update(black_box(&stats)))
    });
    g.bench_function("raw_atomics", |b| b.iter(|| raw.update(black_box(&stats))));
    g.finish();
}

fn main() {
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .configure_from_args();
    kvstats(&mut c);
    forward_pass_metrics(&mut c);
    c.final_summary();
    print_ratios(
        "update_from_kvstats",
        "kvstats",
        &[
            "prometheus_gauges",
            "rwlock_option_arc",
            "gauge_vec_lookup",
            "raw_atomics",
        ],
    );
    print_ratios(
        "update_from_forward_pass",
        "kvstats",
        &["prometheus_gauges", "raw_atomics"],
    );
}
