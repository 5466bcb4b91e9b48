use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Generation tokens produced in this step
    #[prom(delta)]
    pub generation_tokens: u64,
}

fn main() {}
