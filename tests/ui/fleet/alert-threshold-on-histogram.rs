use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Time to first token of each request that got one this step
    #[prom(histogram, alert(above = 2))]
    pub ttft: Vec<std::time::Duration>,
}

fn main() {}
