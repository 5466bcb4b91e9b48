use kvstats_core::PromGauges;

#[derive(PromGauges)]
pub struct KvStats(pub u64, pub u64);

fn main() {}
