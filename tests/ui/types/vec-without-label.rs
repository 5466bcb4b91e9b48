use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "worker")]
pub struct KvStats {
    /// What the worker reports
    pub accepted_tokens_per_pos: Vec<u64>,
}

fn main() {}
