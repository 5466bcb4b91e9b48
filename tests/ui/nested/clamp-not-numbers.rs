use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// GPU cache usage as a percentage (0-100)
    #[prom(name = "gpu_cache_usage", unit = "ratio", clamp("low", "high"))]
    pub gpu_cache_usage_perc: f32,
}

fn main() {}
