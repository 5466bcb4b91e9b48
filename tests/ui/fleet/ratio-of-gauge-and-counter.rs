use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Prefix cache hits since the process started
    #[prom(counter)]
    pub hits: u64,
    /// Number of cached prefixes
    pub prefixes: u64,
    /// Prefix cache hit rate
    #[prom(ratio_of(numerator = "hits", denominator = "prefixes"))]
    pub hit_rate: f64,
}

fn main() {}
