//! Every key of the grammar at once, and what each produces.

#![deny(warnings)]

use kvstats_core::{PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "spec_decode")]
pub struct SpecDecodeStats {
    /// Number of drafts produced
    #[prom(name = "drafts")]
    pub num_drafts: Option<u32>,
}

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "kvstats", gauges = "KvGauges", module = "kv_names", crate = "::kvstats_core")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks", deprecated_name = "kv_active_blocks")]
    pub kv_active_blocks: u64,
    #[prom(name = "gpu_cache_usage", unit = "percent", scale = 100.0, clamp(0.0, 100.0))]
    #[prom(help = "GPU cache usage as a percentage (0-100)")]
    pub gpu_cache_usage_perc: f32,
    /// Time of the last forward pass
    #[prom(unit = "seconds")]
    pub forward_pass_seconds: f64,
    /// Accepted tokens per position
    #[prom(label = "position", max = 2, scale = -1)]
    pub accepted: [i16; 3],
    /// Speculative decoding
    #[prom(flatten)]
    pub spec: Option<SpecDecodeStats>,
    #[prom(skip)]
    pub model: String,
}

fn main() {
    assert_eq!(
        kv_names::ALL,
        [
            "kvstats_active_blocks",
            "kvstats_gpu_cache_usage_percent",
            "kvstats_forward_pass_seconds",
            "kvstats_accepted",
        ]
    );
    #[allow(deprecated)]
    let old = kv_names::KV_ACTIVE_BLOCKS;
    assert_eq!(old, "kvstats_kv_active_blocks");
    assert_eq!(KvStats::METRICS.last().map(|m| m.name), Some("spec_decode_drafts"));
    let registry = Registry::with_prefix("").unwrap();
    let gauges = KvGauges::register(&registry).unwrap();
    gauges.update_from(&KvStats {
        gpu_cache_usage_perc: 0.5,
        accepted: [1, 2, 3],
        ..Default::default()
    });
    assert_eq!(gauges.gpu_cache_usage_perc.get(), 50.0);
    let text = registry.prometheus_text().unwrap();
    assert!(text.lines().any(|l| l == r#"kvstats_accepted{position="1"} -2"#), "{text}");
    assert!(!text.contains(r#"position="2""#), "{text}");
    assert!(!text.contains("spec_decode_drafts"), "{text}");
}
