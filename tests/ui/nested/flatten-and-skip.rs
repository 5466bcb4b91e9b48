use kvstats_core::{KvStats, PromGauges};

#[derive(PromGauges)]
pub struct ForwardPassMetrics {
    /// KV-cache statistics
    #[prom(flatten, skip)]
    pub kv_stats: KvStats,
    /// Number of requests waiting
    pub requests_waiting: u64,
}

fn main() {}
