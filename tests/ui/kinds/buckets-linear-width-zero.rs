use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Time to first token of each request that got one this step
    #[prom(histogram(buckets = linear(0.1, 0, 8)))]
    pub ttft_seconds: Vec<f64>,
}

fn main() {}
