use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "worker")]
pub struct KvStats {
    /// What the worker reports
    pub blocks: (u64, u64),
}

fn main() {}
