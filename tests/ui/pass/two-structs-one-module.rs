//! Two derived structs side by side, and one nested in the other.

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

fn main() {
    assert_eq!(kvstats::ALL, ["kvstats_active_blocks"]);
    assert_eq!(worker::ALL, ["worker_request_active_slots"]);
    let names: Vec<_> = WorkerStats::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(names, ["worker_request_active_slots", "kvstats_active_blocks"]);
    let registry = Registry::new();
    let _kv = KvStatsGauges::register_with_labels(&registry, &[("dp_rank", "0")]).unwrap();
    let _worker = WorkerStatsGauges::register_with_labels(&registry, &[("dp_rank", "1")]).unwrap();
}
