//! The expansion adds no warning to a crate that denies them, for public and
//! private structs, used or not.

#![deny(warnings, missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![deny(unused_qualifications, unused_import_braces, trivial_casts, trivial_numeric_casts)]
#![deny(unreachable_pub, unsafe_code, non_ascii_idents, variant_size_differences)]

use kvstats_core::PromGauges;

/// Statistics of one worker.
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
#[prom(prefix = "kvstats", gauges = "KvGauges", module = "kv_names")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks", deprecated_name = "kv_active_blocks")]
    pub kv_active_blocks: u64,
    /// GPU cache usage as a percentage (0.0-1.0)
    #[prom(name = "gpu_cache_usage", unit = "percent", clamp(0.0, 1.0))]
    pub gpu_cache_usage_perc: f32,
    /// Accepted tokens per position
    #[prom(label = "position", max = 4)]
    pub accepted: Option<Vec<u32>>,
    /// Not exported.
    #[prom(skip)]
    pub note: String,
}

/// Never used: no dead-code warning comes from the expansion.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "unused")]
struct Unused {
    /// Never read
    value: Option<bool>,
}

fn main() {
    let gauges = KvGauges::new();
    gauges.update_from(&KvStats::default());
    assert_eq!(
        kv_names::ALL,
        ["kvstats_active_blocks", "kvstats_gpu_cache_usage_percent", "kvstats_accepted"]
    );
    let _ = Unused::default();
}
