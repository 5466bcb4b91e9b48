use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Total number of KV cache blocks
    pub total_blocks: u64,
    /// Fraction of the KV cache in use
    #[prom(ratio_of(numerator = "usage", denominator = "total_blocks"))]
    pub usage: f64,
}

fn main() {}
