use kvstats_core::PromGauges;
type Adapters = std::collections::HashMap<String, u32>;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Running requests by adapter
    #[prom(label = "lora_adapter")]
    pub running: Adapters,
}

fn main() {}
