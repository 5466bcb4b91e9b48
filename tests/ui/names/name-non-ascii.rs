use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "név")]
    pub kv_active_blocks: u64,
}

fn main() {}
