use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Tokens in each prompt of this step
    #[prom(histogram(buckets = [64, 512, 4096]))]
    pub prompt_tokens_count: Vec<u32>,
}

fn main() {}
