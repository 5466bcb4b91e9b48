use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Prompt tokens processed since the process started
    #[prom(counter)]
    pub prompt_tokens: String,
}

fn main() {}
