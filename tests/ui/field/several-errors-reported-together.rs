use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats", namespace = "dynamo")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks", colour = "red")]
    pub kv_active_blocks: u64,
    #[prom(name = "total_blocks")]
    pub kv_total_blocks: u64,
    /// GPU cache usage as a fraction (0.0-1.0)
    #[prom(name = "gpu_cache_usage", unit = 5)]
    pub gpu_cache_usage_perc: f32,
    /// GPU prefix cache hit rate as a fraction (0.0-1.0)
    #[prom(name = "gpu-prefix-cache-hit-rate")]
    pub gpu_prefix_cache_hit_rate: f32,
    /// The model being served
    pub model: String,
}

fn main() {}
