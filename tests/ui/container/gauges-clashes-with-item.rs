// rustc reports the clash at the struct the container is named after; the
// two errors after it come from the generated impls, which rustc resolves to
// the other `KvStatsGauges`. The macro cannot see other items; the fix is
// `#[prom(gauges = "..")]` or removing the hand-written container.
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
