use kvstats_core::PromGauges;

/// The hand-written container the derive replaces.
pub struct KvStatsGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    pub kv_active_blocks: u64,
}

fn main() {}
