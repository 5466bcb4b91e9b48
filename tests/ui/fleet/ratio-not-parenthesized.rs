use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Fraction of the KV cache in use
    #[prom(ratio_of = "active_blocks / total_blocks")]
    pub usage: f64,
}

fn main() {}
