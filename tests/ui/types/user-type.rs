use kvstats_core::PromGauges;

/// A count of KV cache blocks.
pub struct Blocks(pub u64);

#[derive(PromGauges)]
#[prom(prefix = "worker")]
pub struct KvStats {
    /// What the worker reports
    pub active_blocks: Blocks,
}

fn main() {}
