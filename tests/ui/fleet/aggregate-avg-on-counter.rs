use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kv")]
pub struct CacheStats {
    /// Prompt tokens processed since the process started
    #[prom(counter, aggregate = "avg")]
    pub prompt_tokens: u64,
}

fn main() {}
