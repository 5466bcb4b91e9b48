//! `update_from` is the publisher's hot path: it must not allocate. A counting
//! global allocator proves it for a flat struct, for the nested
//! `ForwardPassMetrics` with every optional part present, and with them absent.

use kvstats_core::dynamo::{
    ForwardPassMetrics, ForwardPassMetricsGauges, KvStats, KvStatsGauges, SpecDecodeStats,
    WorkerStats,
};

#[global_allocator]
static HEAP: harness::heap::Counting = harness::heap::Counting;

#[test]
fn update_from_never_allocates() {
    let (_registry, component) = harness::fixtures::backend();
    let kv = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "1")]).unwrap();
    let full =
        ForwardPassMetricsGauges::register_with_labels(&component, &[("dp_rank", "0")]).unwrap();
    let kv_stats = KvStats {
        kv_active_blocks: 42,
        kv_total_blocks: 12894,
        gpu_cache_usage_perc: 0.5,
        gpu_prefix_cache_hit_rate: 0.75,
    };
    let with_spec = ForwardPassMetrics {
        worker_stats: WorkerStats {
            data_parallel_rank: Some(0),
            request_active_slots: 3,
            request_total_slots: 8,
            num_requests_waiting: 1,
        },
        kv_stats: kv_stats.clone(),
        spec_decode_stats: Some(SpecDecodeStats {
            num_spec_tokens: Some(4),
            num_drafts: Some(10),
            num_draft_tokens: Some(40),
            num_accepted_tokens: Some(30),
            // Longer than the cap: the overflow path must not allocate either.
            num_accepted_tokens_per_pos: Some((0..100).collect()),
        }),
    };
    let without_spec = ForwardPassMetrics {
        spec_decode_stats: None,
        ..with_spec.clone()
    };

    let ((), usage) = harness::heap::measure(|| {
        for _ in 0..1_000 {
            kv.update_from(&kv_stats);
            full.update_from(&with_spec);
            full.update_from(&without_spec);
        }
    });
    let count = usage.allocations;
    assert_eq!(
        count, 0,
        "update_from allocated {count} times in 3,000 calls"
    );
    // The values really arrived, so the loop was not optimised into nothing.
    assert_eq!(kv.kv_total_blocks.get(), 12894.0);
    assert_eq!(full.kv_stats.kv_active_blocks.get(), 42.0);
    assert_eq!(full.spec_decode_stats.num_drafts.value(), None);
}
