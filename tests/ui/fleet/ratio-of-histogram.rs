use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Time to first token of each request that got one this step
    #[prom(histogram)]
    pub ttft: Vec<std::time::Duration>,
    /// Total number of KV cache blocks
    pub total_blocks: u64,
    /// Not a meaningful ratio
    #[prom(ratio_of(numerator = "ttft", denominator = "total_blocks"))]
    pub usage: f64,
}

fn main() {}
