use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Fraction of the KV cache in use
    pub usage: f64,
    /// Not exported
    #[prom(skip, alert(above = 1))]
    pub scratch: f64,
}

fn main() {}
