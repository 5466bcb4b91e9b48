use kvstats_core::PromGauges;
use std::collections::BTreeMap;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Running requests by adapter and model
    #[prom(label = "lora_adapter")]
    pub running: BTreeMap<String, BTreeMap<String, u32>>,
}

fn main() {}
