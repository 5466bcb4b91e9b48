use kvstats_core::PromGauges;

#[derive(PromGauges)]
pub struct WorkerStats {}

fn main() {}
