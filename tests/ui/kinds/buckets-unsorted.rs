use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Time to first token of each request that got one this step
    #[prom(histogram(buckets = [0.5, 0.1, 1]))]
    pub ttft_seconds: Vec<f64>,
}

fn main() {}
