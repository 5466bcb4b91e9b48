use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Number of active KV cache blocks
    pub active_blocks: u64,
    /// Total number of KV cache blocks
    pub total_blocks: u64,
    /// Fraction of the KV cache in use
    #[prom(counter, ratio_of(numerator = "active_blocks", denominator = "total_blocks"))]
    pub usage: f64,
}

fn main() {}
