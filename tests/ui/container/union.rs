use kvstats_core::PromGauges;

#[derive(PromGauges)]
pub union Blocks {
    active: u64,
    total: u32,
}

fn main() {}
