use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Number of active KV cache blocks
    #[prom(aggregate = "sum, max, sum")]
    pub active_blocks: u64,
}

fn main() {}
