use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Model of each request this step
    #[prom(histogram(buckets = [1, 2]))]
    pub model: String,
}

fn main() {}
