//! `update_from` is the publisher's hot path: it must not allocate. A counting
//! global allocator proves it for a flat struct, for the nested
//! `ForwardPassMetrics` with every optional part present, and with them absent,
//! and for a struct of every other kind (counters, histogram, keyed series),
//! whose only allocations are for keys it has not seen before: one each.
//!
//! Only the measuring thread's allocations are counted: libtest's main thread
//! may still be allocating (its channel, its bookkeeping) when a test starts
//! measuring, which made the counts flaky on a busy machine. The checks run
//! one after the other in a single test all the same.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use kvstats_core::dynamo::{
    ForwardPassMetrics, ForwardPassMetricsGauges, KvStats, KvStatsGauges, SpecDecodeStats,
    WorkerStats,
};
use kvstats_core::{PromGauges, Registry};

#[global_allocator]
static HEAP: ThisThread = ThisThread;

/// `harness::heap`'s counting allocator for the thread inside [`measure`],
/// the system's for every other.
struct ThisThread;

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> &'static dyn GlobalAlloc {
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        &harness::heap::Counting
    } else {
        &System
    }
}

// SAFETY: both allocators behind `counted` are the system's, so memory
// either one allocated may be freed or resized by the other.
unsafe impl GlobalAlloc for ThisThread {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { counted().alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { counted().alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { counted().dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { counted().realloc(ptr, layout, new_size) }
    }
}

/// What `f` returns, and what this thread allocated while it ran.
fn measure<T>(f: impl FnOnce() -> T) -> (T, harness::heap::Usage) {
    COUNTED.set(true);
    let measured = harness::heap::measure(f);
    COUNTED.set(false);
    measured
}

#[test]
fn update_from_allocates_only_for_new_keys() {
    gauges_never_allocate();
    every_kind_allocates_once_per_new_key_only();
}

fn gauges_never_allocate() {
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

    let ((), usage) = measure(|| {
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

/// Every kind of metric besides gauges, and a keyed gauge.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "kinds")]
struct Kinds {
    /// Prompt tokens processed since the process started
    #[prom(counter)]
    prompt_tokens: u64,
    /// Generation tokens produced this step
    #[prom(counter, delta)]
    generation_tokens: u64,
    /// Time to first token of the requests that got it this step
    #[prom(histogram(buckets = [0.1, 0.5, 1]), name = "time_to_first_token")]
    ttft: Vec<Duration>,
    /// Requests finished this step, by reason
    #[prom(counter, delta, label = "finished_reason")]
    finished: HashMap<String, u64>,
    /// Requests running, by LoRA adapter
    #[prom(label = "lora_adapter")]
    running: BTreeMap<String, u32>,
}

/// A step whose requests finished for `reasons`.
fn kinds_step(reasons: &[String]) -> Kinds {
    Kinds {
        prompt_tokens: 1_000,
        generation_tokens: 10,
        ttft: vec![Duration::from_millis(250), Duration::from_millis(700)],
        finished: reasons.iter().map(|r| (r.clone(), 1)).collect(),
        running: BTreeMap::from([("sql".to_owned(), 2), ("chat".to_owned(), 1)]),
    }
}

fn every_kind_allocates_once_per_new_key_only() {
    let registry = Registry::with_prefix("").unwrap();
    let gauges = KindsGauges::register(&registry).unwrap();
    let reasons = ["stop", "length", "abort"].map(String::from);
    let seen = kinds_step(&reasons);

    // The first keys of each keyed field: one allocation per key, and one
    // per field for the room of all its keys.
    let ((), first) = measure(|| gauges.update_from(&seen));
    assert_eq!(first.allocations, (3 + 1) + (2 + 1), "the first update");

    let ((), usage) = measure(|| {
        for _ in 0..1_000 {
            gauges.update_from(&seen);
        }
    });
    let count = usage.allocations;
    assert_eq!(
        count, 0,
        "1,000 updates with known keys allocated {count} times"
    );

    // New keys one by one, longer and longer (up to 100 bytes), past where a
    // growing list or tree would grow: one allocation each, the key's text.
    for n in 1..=50 {
        let new = kinds_step(&[format!("reason_{}", "x".repeat(2 * n))]);
        let ((), usage) = measure(|| gauges.update_from(&new));
        assert_eq!(usage.allocations, 1, "new key number {n}");
    }
    assert_eq!(gauges.generation_tokens.get(), 10.0 * 1_051.0);
    let text = registry.prometheus_text().unwrap();
    let keys = harness::exposition::lines_of(&text, "kinds_finished_total");
    assert_eq!(keys.len(), 3 + 50);
}
