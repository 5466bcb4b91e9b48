use kvstats_core::{KvStats, PromGauges};

#[derive(PromGauges)]
pub struct ForwardPassMetrics {
    /// KV-cache statistics
    #[prom(flatten, label = "dp_rank")]
    pub kv_stats: KvStats,
}

fn main() {}
