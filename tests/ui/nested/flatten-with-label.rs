use kvstats_core::PromGauges;
use kvstats_core::dynamo::KvStats;

#[derive(PromGauges)]
pub struct ForwardPassMetrics {
    /// KV-cache statistics
    #[prom(flatten, label = "dp_rank")]
    pub kv_stats: KvStats,
}

fn main() {}
