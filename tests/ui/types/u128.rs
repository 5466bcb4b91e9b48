use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "worker")]
pub struct KvStats {
    /// What the worker reports
    pub tokens_processed: u128,
}

fn main() {}
