use kvstats_core::PromGauges;
use std::collections::HashMap;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Time to first token this step, by adapter
    #[prom(histogram(buckets = [0.1, 0.5, 1]), label = "lora_adapter")]
    pub ttft_seconds: HashMap<String, f64>,
}

fn main() {}
