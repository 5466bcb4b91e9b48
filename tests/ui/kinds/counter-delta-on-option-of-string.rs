use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Generation tokens produced in this step
    #[prom(counter, delta)]
    pub generation_tokens: Option<String>,
}

fn main() {}
