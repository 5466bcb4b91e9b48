use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Time to first token of each request that got one this step
    #[prom(histogram(buckets = quadratic(0.1, 0.1, 8)))]
    pub ttft_seconds: Vec<f64>,
}

fn main() {}
