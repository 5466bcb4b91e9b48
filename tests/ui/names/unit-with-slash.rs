use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "vllm")]
pub struct ThroughputStats {
    /// Tokens generated per second
    #[prom(unit = "tokens/s")]
    pub generation_throughput: f64,
}

fn main() {}
