use kvstats_core::{GaugeGroup, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "kvstats", namespace = "dynamo")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks")]
    pub kv_active_blocks: u64,
    /// Total number of KV cache blocks available
    #[prom(name = "total_blocks")]
    pub kv_total_blocks: u64,
}

// Every generated item is used: the only error is the unknown key above.
fn main() {
    let component = Registry::new().namespace("dynamo").unwrap().component("backend").unwrap();
    let gauges: kvstats_core::Registered<KvStatsGauges> = KvStatsGauges::register(&component).unwrap();
    gauges.update_from(&KvStats::default());
    GaugeGroup::clear(&*gauges);
    let _ = KvStatsGauges::register_with_labels(&component, &[("dp_rank", "0")]);
    let _ = gauges.kv_active_blocks.get();
    let names: [&str; 4] = [kvstats::PREFIX, kvstats::ACTIVE_BLOCKS, kvstats::TOTAL_BLOCKS, kvstats::ALL[0]];
    let _ = (names, KvStats::METRICS, <KvStats as PromGauges>::Gauges::new());
}
