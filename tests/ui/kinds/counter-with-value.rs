use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Prompt tokens processed since the process started
    #[prom(counter = true)]
    pub prompt_tokens: u64,
}

fn main() {}
