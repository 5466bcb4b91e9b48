use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Tokens in each prompt of this step
    #[prom(histogram(buckets = [64, 512, 4096]), name = "prompt_tokens_total")]
    pub prompt_tokens: Vec<u32>,
}

fn main() {}
