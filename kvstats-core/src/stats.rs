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
///
/// `data_parallel_rank` is not a metric: it is the natural value of the
/// `dp_rank` label a publisher is registered with.
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
#[prom(prefix = "worker")]
pub struct WorkerStats {
    /// The data-parallel rank these statistics belong to, if the worker runs several.
    #[prom(skip)]
    pub data_parallel_rank: Option<u32>,
    /// Number of request slots currently in use
    pub request_active_slots: u64,
    /// Total number of request slots available
    pub request_total_slots: u64,
    /// Number of requests waiting for a free request slot
    #[prom(name = "requests_waiting")]
    pub num_requests_waiting: u64,
}

/// Speculative-decoding statistics; every field is optional, and a `None`
/// field has no series in the scrape.
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
#[prom(prefix = "spec_decode")]
pub struct SpecDecodeStats {
    /// Number of speculative tokens proposed per decoding step
    #[prom(name = "spec_tokens")]
    pub num_spec_tokens: Option<u32>,
    /// Number of drafts produced
    #[prom(name = "drafts")]
    pub num_drafts: Option<u32>,
    /// Number of draft tokens produced
    #[prom(name = "draft_tokens")]
    pub num_draft_tokens: Option<u32>,
    /// Number of draft tokens accepted
    #[prom(name = "accepted_tokens")]
    pub num_accepted_tokens: Option<u32>,
    /// Number of draft tokens accepted at each position of the draft
    #[prom(name = "accepted_tokens_per_position", label = "position", max = 64)]
    pub num_accepted_tokens_per_pos: Option<Vec<u32>>,
}

/// Everything a worker publishes after a forward pass. Each part keeps the
/// prefix of its own struct (`worker_`, `kvstats_`, `spec_decode_`).
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
pub struct ForwardPassMetrics {
    /// Request-slot statistics.
    #[prom(flatten)]
    pub worker_stats: WorkerStats,
    /// KV-cache statistics.
    #[prom(flatten)]
    pub kv_stats: KvStats,
    /// Speculative-decoding statistics, when speculative decoding is on.
    #[prom(flatten)]
    pub spec_decode_stats: Option<SpecDecodeStats>,
}
