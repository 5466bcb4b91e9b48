use kvstats_core::PromGauges;
use std::collections::HashMap;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Tokens of each request this step, by adapter
    #[prom(histogram(buckets = [64, 512, 4096]))]
    pub tokens: HashMap<String, u64>,
}

fn main() {}
