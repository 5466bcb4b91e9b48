use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
#[prom(alert(above = 0.95))]
pub struct CacheStats {
    /// Fraction of the KV cache in use
    pub usage: f64,
}

fn main() {}
