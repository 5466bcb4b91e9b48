use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    #[prom(name = "active_blocks")]
    pub kv_active_blocks: u64,
}

fn main() {}
