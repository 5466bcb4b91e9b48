use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Requests finished at each position
    #[prom(counter, delta, label = "position")]
    pub finished: Vec<String>,
}

fn main() {}
