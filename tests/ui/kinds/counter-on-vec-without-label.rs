use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Tokens accepted at each draft position
    #[prom(counter)]
    pub accepted_per_position: Vec<u64>,
}

fn main() {}
