use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "spec_decode")]
pub struct SpecDecodeStats {
    /// Number of draft tokens accepted at each position of the draft
    #[prom(label = "position", max = 0)]
    pub num_accepted_tokens_per_pos: Option<Vec<u32>>,
}

fn main() {}
