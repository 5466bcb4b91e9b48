use kvstats_core::PromGauges;
use std::collections::HashMap;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Requests finished this step, by prompt prefix
    #[prom(counter, delta, label = "prefix")]
    pub finished: HashMap<Vec<u8>, u64>,
}

fn main() {}
