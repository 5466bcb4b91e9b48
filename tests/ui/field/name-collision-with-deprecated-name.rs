use kvstats_core::PromGauges;

#[derive(PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// GPU cache usage as a fraction (0.0-1.0)
    #[prom(unit = "ratio", deprecated_name = "gpu_cache_usage_percent")]
    pub gpu_cache_usage: f32,
    /// GPU cache usage as a percentage (0.0-100.0)
    #[prom(name = "gpu_cache_usage_percent", scale = 100.0)]
    pub gpu_cache_usage_perc: f32,
}

fn main() {}
