use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Time spent busy since the process started
    #[prom(counter, unit = "seconds")]
    pub busy_total: f64,
}

fn main() {}
