use kvstats_core::PromGauges;
use std::collections::HashMap;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Running requests by adapter
    #[prom(label = "lora_adapter")]
    pub running: HashMap<String, String>,
}

fn main() {}
