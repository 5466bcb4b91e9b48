use kvstats_core::{KvStats, PromGauges};

#[derive(PromGauges)]
pub struct ForwardPassMetrics {
    /// KV-cache statistics
    #[prom(flatten = true)]
    pub kv_stats: KvStats,
}

fn main() {}
