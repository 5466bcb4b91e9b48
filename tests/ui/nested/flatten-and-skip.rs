use kvstats_core::PromGauges;
use kvstats_core::dynamo::KvStats;

#[derive(PromGauges)]
pub struct ForwardPassMetrics {
    /// KV-cache statistics
    #[prom(flatten, skip)]
    pub kv_stats: KvStats,
    /// Number of requests waiting
    pub requests_waiting: u64,
}

fn main() {}
