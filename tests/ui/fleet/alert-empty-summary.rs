use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Fraction of the KV cache in use
    #[prom(alert(above = 0.95, summary = " "))]
    pub usage: f64,
}

fn main() {}
