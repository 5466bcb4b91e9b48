use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "worker")]
pub struct KvStats {
    /// What the worker reports
    pub active_blocks: &'static u64,
}

fn main() {}
