// `Registry::new()` sets `dynamo_namespace`, `dynamo_component` and
// `dynamo_endpoint` on every series; a per-position label of one of those
// names would appear twice in each series.
use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "spec_decode")]
pub struct SpecDecodeStats {
    /// Number of draft tokens accepted at each component
    #[prom(label = "dynamo_component")]
    pub num_accepted_tokens_per_component: Vec<u32>,
}

fn main() {}
