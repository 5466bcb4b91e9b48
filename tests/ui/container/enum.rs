use kvstats_core::PromGauges;

#[derive(PromGauges)]
pub enum CacheState {
    Warm { blocks: u64 },
    Cold,
}

fn main() {}
