use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats<T> {
    /// Number of active KV cache blocks currently in use
    pub kv_active_blocks: T,
}

// Uses of the generated items report nothing more.
fn publish(gauges: &KvStatsGauges, stats: &KvStats<u64>) {
    gauges.update_from(stats);
    let _ = kvstats::ACTIVE_BLOCKS;
}

fn main() {
    publish(&KvStatsGauges::new(), &KvStats { kv_active_blocks: 1 });
}
