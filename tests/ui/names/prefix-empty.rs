use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    pub kv_active_blocks: u64,
}

fn main() {}
