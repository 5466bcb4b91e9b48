//! What the registry keeps on the heap: at most what the leanest peers keep
//! per series (prometheus-client holds 60 bytes per series for these series,
//! `cargo bench --bench scale`), and nothing more after thousands of ranks
//! came and went; and a scrape of them allocates its text once. Bytes and
//! allocations are counted, not timed.

use harness::fixtures::backend;
use harness::heap::{measure, Counting};
use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::{MetricsRegistry as _, Registered};

#[global_allocator]
static HEAP: Counting = Counting;

/// The ceiling per series: prometheus-client's figure for the same series.
const BYTES_PER_SERIES: isize = 60;

fn register(component: &kvstats_core::Component, rank: usize) -> Registered<KvStatsGauges> {
    let rank = rank.to_string();
    let gauges = KvStatsGauges::register_with_labels(component, &[("dp_rank", &rank)]).unwrap();
    gauges.update_from(&KvStats {
        kv_active_blocks: 1,
        ..Default::default()
    });
    gauges
}

// One test per binary: the counters see every thread's allocations.
#[test]
fn ten_thousand_series_fit_the_budget_and_churn_leaves_nothing_behind() {
    let (registry, component) = backend();
    // Warm up what is allocated once per registry and per family.
    let warm = register(&component, 0);
    drop(warm);
    let (handles, usage) = measure(|| {
        let mut handles = Vec::with_capacity(2_500);
        for rank in 0..2_500 {
            handles.push(register(&component, rank));
        }
        handles
    });
    let series = 4 * 2_500;
    let per_series = usage.retained / series as isize;
    assert!(
        per_series <= BYTES_PER_SERIES,
        "{per_series} bytes per series ({} in all)",
        usage.retained
    );

    // 100,000 more registrations, each dropped again: the heap comes back.
    let ((), churn) = measure(|| {
        for round in 0..100_000 {
            drop(register(&component, 2_500 + round % 5_000));
        }
    });
    assert!(
        churn.retained.abs() <= 4_096,
        "{} bytes kept after the churn",
        churn.retained
    );
    assert_eq!(
        registry
            .prometheus_text()
            .unwrap()
            .matches("kvstats_active_blocks{")
            .count(),
        2_500
    );

    // A scrape reserves what the one before it wrote (not counting what its
    // buffer held already, as a server's reused buffer may): its text grows
    // once, not a dozen times (each a copy of 10,000 series' worth of text).
    let mut reused = "#".repeat(1 << 20);
    registry.write_text(&mut reused).unwrap();
    let (text, scrape) = measure(|| registry.prometheus_text().unwrap());
    assert!(
        scrape.allocations <= 2,
        "{} allocations for a scrape of {} bytes",
        scrape.allocations,
        text.len()
    );
    // .. and reserves little more than it needs.
    assert!(
        scrape.retained <= (text.len() + text.len() / 8) as isize,
        "{} bytes kept for a text of {}",
        scrape.retained,
        text.len()
    );
    drop(handles);
}
