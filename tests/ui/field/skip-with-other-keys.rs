use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(skip, name = "active_blocks")]
    pub kv_active_blocks: u64,
    /// Total number of KV cache blocks available
    pub kv_total_blocks: u64,
}

fn main() {}
