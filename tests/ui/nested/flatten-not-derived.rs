use kvstats_core::PromGauges;

/// KV-cache statistics, not annotated.
pub struct KvStats {
    pub kv_active_blocks: u64,
}

#[derive(PromGauges)]
pub struct ForwardPassMetrics {
    /// KV-cache statistics
    #[prom(flatten)]
    pub kv_stats: KvStats,
}

fn main() {}
