use kvstats_core::PromGauges;

/// Hand-written names that predate the derive.
pub mod kvstats {
    pub const ACTIVE_BLOCKS: &str = "kvstats_active_blocks";
}

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    pub kv_active_blocks: u64,
}

fn main() {}
