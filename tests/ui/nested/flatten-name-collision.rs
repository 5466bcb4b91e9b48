// Two nested structs export the same metric name: each is fine on its own, so
// only the outer struct can see the clash, when its METRICS are evaluated.
use kvstats_core::PromGauges;
use kvstats_core::dynamo::KvStats;

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "kvstats")]
pub struct Extra {
    /// Blocks reserved for prefetching
    pub active_blocks: u64,
}

#[derive(Debug, Default, PromGauges)]
pub struct Both {
    #[prom(flatten)]
    pub kv: KvStats,
    #[prom(flatten)]
    pub extra: Extra,
}

fn main() {}
