//! Derived structs side by side, one nested in another, and two with one
//! prefix kept apart by `module`.

#![deny(warnings)]

use kvstats_core::{PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks")]
    pub kv_active_blocks: u64,
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "worker")]
pub struct WorkerStats {
    /// Number of request slots currently in use
    pub request_active_slots: u64,
    /// KV-cache statistics
    #[prom(flatten)]
    pub kv: KvStats,
}

/// The prefix of `KvStats`: `module` gives its constants a module of their own.
#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "kvstats", module = "kvstats_host")]
pub struct HostKvStats {
    /// Number of KV cache blocks offloaded to host memory
    pub offloaded_blocks: u64,
}

fn main() {
    assert_eq!(kvstats::ALL, ["kvstats_active_blocks"]);
    assert_eq!(worker::ALL, ["worker_request_active_slots"]);
    assert_eq!(kvstats_host::ALL, ["kvstats_offloaded_blocks"]);
    let names: Vec<_> = WorkerStats::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(names, ["worker_request_active_slots", "kvstats_active_blocks"]);
    let registry = Registry::new();
    let _kv = KvStatsGauges::register_with_labels(&registry, &[("dp_rank", "0")]).unwrap();
    let _worker = WorkerStatsGauges::register_with_labels(&registry, &[("dp_rank", "1")]).unwrap();
    let _host = HostKvStatsGauges::register(&registry).unwrap();
}
