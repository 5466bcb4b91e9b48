//! The runtime under another name, as `crate = ".."` exists for.
//!
//! Cargo does not let one package depend on kvstats-core twice under two
//! names, so the rename is made here, at the crate root, which puts
//! `kv_metrics` in the extern prelude as a renamed dependency would be.

#![deny(warnings)]

extern crate kvstats_core as kv_metrics;

use kv_metrics::PromGauges;

#[derive(Debug, Default, PromGauges)]
#[prom(crate = "kv_metrics", prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks")]
    pub kv_active_blocks: u64,
}

/// The same through a path that starts at this crate.
mod runtime {
    pub use kv_metrics::*;
}

#[derive(Debug, Default, PromGauges)]
#[prom(crate = "crate::runtime", prefix = "worker")]
pub struct WorkerStats {
    /// Number of requests waiting for a free request slot
    pub requests_waiting: u64,
}

fn main() {
    let registry = kv_metrics::Registry::new();
    let gauges = KvStatsGauges::register(&registry).unwrap();
    gauges.update_from(&KvStats { kv_active_blocks: 4 });
    assert_eq!(kvstats::ACTIVE_BLOCKS, "kvstats_active_blocks");
    let _ = WorkerStatsGauges::register(&registry).unwrap();
    assert_eq!(<WorkerStats as PromGauges>::METRICS[0].name, "worker_requests_waiting");
}
