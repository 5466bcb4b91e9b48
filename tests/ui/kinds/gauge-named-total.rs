use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Prompt tokens processed since the process started
    #[prom(name = "prompt_tokens_total")]
    pub prompt_tokens: u64,
}

fn main() {}
