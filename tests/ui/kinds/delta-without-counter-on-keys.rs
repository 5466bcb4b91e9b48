use kvstats_core::PromGauges;
use std::collections::HashMap;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Requests finished this step, by reason
    #[prom(delta, label = "finished_reason")]
    pub finished: HashMap<String, u64>,
}

fn main() {}
