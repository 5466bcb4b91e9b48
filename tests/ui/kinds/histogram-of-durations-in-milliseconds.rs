use kvstats_core::PromGauges;
use std::time::Duration;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Time to first token of each request that got one this step
    #[prom(histogram, unit = "milliseconds")]
    pub ttft: Vec<Duration>,
}

fn main() {}
