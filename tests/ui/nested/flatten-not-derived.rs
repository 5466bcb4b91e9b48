// The first error is at the field's type. rustc repeats it for every use of
// the generated container, which holds the nested container inline, so its
// layout needs the missing impl; the macro cannot tell that the type does not
// derive `PromGauges`, and every repetition names the same cause.
use kvstats_core::PromGauges;

/// KV-cache statistics, not annotated.
pub struct KvStats {
    pub kv_active_blocks: u64,
}

#[derive(PromGauges)]
pub struct ForwardPassMetrics {
    /// KV-cache statistics
    #[prom(flatten)]
    pub kv_stats: KvStats,
}

fn main() {}
