use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Number of active KV cache blocks
    pub active_blocks: u64,
    /// Fraction of the KV cache in use
    #[prom(ratio_of(numerator = "active_blocks", denominator = "active_blocks"))]
    pub usage: f64,
}

fn main() {}
