use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Tokens in each prompt of this step
    #[prom(histogram)]
    pub prompt_tokens: Vec<u32>,
}

fn main() {}
