//! The load statistics of an LLM inference worker, as the reference runtime
//! publishes them, annotated for export.

use crate::PromGauges;

/// KV-cache statistics of one worker (or one data-parallel rank).
///
/// Exported with the exact names and help strings of the reference runtime.
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
#[prom(prefix = "kvstats")]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks")]
    pub kv_active_blocks: u64,
    /// Total number of KV cache blocks available
    #[prom(name = "total_blocks")]
    pub kv_total_blocks: u64,
    /// GPU cache usage, a fraction in 0.0-1.0.
    #[prom(
        name = "gpu_cache_usage",
        unit = "percent",
        help = "GPU cache usage as a percentage (0.0-1.0)"
    )]
    pub gpu_cache_usage_perc: f32,
    /// GPU prefix cache hit rate as a percentage (0.0-1.0)
    pub gpu_prefix_cache_hit_rate: f32,
}

/// Request-slot statistics of one worker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerStats {
    /// The data-parallel rank these statistics belong to, if the worker runs several.
    pub data_parallel_rank: Option<u32>,
    /// Request slots in use.
    pub request_active_slots: u64,
    /// Request slots available in all.
    pub request_total_slots: u64,
    /// Requests waiting for a slot.
    pub num_requests_waiting: u64,
}

/// Speculative-decoding statistics; every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpecDecodeStats {
    /// Speculative tokens proposed per step.
    pub num_spec_tokens: Option<u32>,
    /// Drafts made.
    pub num_drafts: Option<u32>,
    /// Draft tokens made.
    pub num_draft_tokens: Option<u32>,
    /// Draft tokens accepted.
    pub num_accepted_tokens: Option<u32>,
    /// Draft tokens accepted, per position in the draft.
    pub num_accepted_tokens_per_pos: Option<Vec<u32>>,
}

/// Everything a worker publishes after a forward pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForwardPassMetrics {
    /// Request-slot statistics.
    pub worker_stats: WorkerStats,
    /// KV-cache statistics.
    pub kv_stats: KvStats,
    /// Speculative-decoding statistics, when speculative decoding is on.
    pub spec_decode_stats: Option<SpecDecodeStats>,
}
