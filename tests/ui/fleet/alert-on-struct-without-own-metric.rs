use kvstats_core::PromGauges;

#[derive(Default, PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Fraction of the KV cache in use
    pub usage: f64,
}

#[derive(PromGauges)]
#[prom(alert(absent, for = "30s"))]
pub struct WorkerStats {
    /// The cache of the worker.
    #[prom(flatten)]
    pub cache: CacheStats,
}

fn main() {}
