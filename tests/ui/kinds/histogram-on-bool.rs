use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Whether the step was a prefill
    #[prom(histogram(buckets = [0.5]))]
    pub prefill: bool,
}

fn main() {}
