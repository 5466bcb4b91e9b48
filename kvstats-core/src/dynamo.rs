//! The reference runtime (NVIDIA Dynamo): the load statistics its inference
//! workers publish, annotated for export with the names and help strings a
//! scrape of the reference showed, its publisher, and its default prefixes.
//!
//! ```
//! use kvstats_core::Registry;
//! use kvstats_core::dynamo::{ForwardPassMetrics, KvStats, WorkerMetricsPublisher};
//!
//! let registry = Registry::new(); // `dynamo::PREFIX` and `dynamo::LABEL_PREFIX`
//! let backend = registry.namespace("dynamo")?.component("backend")?;
//! let publisher = WorkerMetricsPublisher::with_labels(&backend, &[("dp_rank", "0")])?;
//! publisher.publish(ForwardPassMetrics {
//!     kv_stats: KvStats { kv_active_blocks: 42, ..Default::default() },
//!     ..Default::default()
//! });
//! assert!(registry.prometheus_text()?.lines().any(|line| line ==
//!     r#"dynamo_component_kvstats_active_blocks{dp_rank="0",dynamo_component="backend",dynamo_namespace="dynamo"} 42"#));
//! # Ok::<(), kvstats_core::Error>(())
//! ```

use crate::PromGauges;

/// The root metric-name prefix of the reference runtime, the default of
/// [`Registry::new`](crate::Registry::new).
pub use crate::registry::DEFAULT_PREFIX as PREFIX;

/// The prefix of the reference runtime's automatic labels
/// (`dynamo_namespace`, ..), the default of [`Registry::new`](crate::Registry::new).
pub use crate::registry::DEFAULT_LABEL_PREFIX as LABEL_PREFIX;

/// The publisher of everything a worker reports after a forward pass: the
/// worker, KV-cache and speculative-decoding gauges, since
/// [`ForwardPassMetrics`] flattens all three.
///
/// ```
/// use kvstats_core::Registry;
/// use kvstats_core::dynamo::WorkerMetricsPublisher;
///
/// let component = Registry::new().namespace("dynamo")?.component("backend")?;
/// let rank0 = WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "0")])?;
/// let rank1 = WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "1")])?;
/// assert!(WorkerMetricsPublisher::with_labels(&component, &[("dp_rank", "1")]).is_err());
/// # drop((rank0, rank1));
/// # Ok::<(), kvstats_core::Error>(())
/// ```
pub type WorkerMetricsPublisher = crate::MetricsPublisher<ForwardPassMetrics>;
/// KV-cache statistics of one worker (or one data-parallel rank).
///
/// Exported with the exact names and help strings of the reference runtime.
/// Across a fleet, blocks add up, usage is active over total blocks (and the
/// fullest instance), and the hit rate is averaged, with its worst instance;
/// an instance whose KV statistics stop for 30 s, or whose cache stays over
/// 95% full for 5 minutes, raises an alert.
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
#[prom(prefix = "kvstats")]
#[prom(alert(
    absent,
    for = "30s",
    severity = "critical",
    summary = "No KV-cache statistics from {{ $labels.instance }} for 30 seconds"
))]
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
        help = "GPU cache usage as a percentage (0.0-1.0)",
        ratio_of(numerator = "kv_active_blocks", denominator = "kv_total_blocks"),
        alert(
            above = 0.95,
            for = "5m",
            name = "KvCacheNearlyFull",
            summary = "KV cache of {{ $labels.instance }} is {{ $value | humanizePercentage }} full"
        )
    )]
    pub gpu_cache_usage_perc: f32,
    /// GPU prefix cache hit rate as a percentage (0.0-1.0)
    #[prom(aggregate = "avg, min")]
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
    #[prom(name = "requests_waiting", aggregate = "sum, max")]
    pub num_requests_waiting: u64,
}

/// Speculative-decoding statistics; every field is optional, and a `None`
/// field has no series in the scrape.
#[derive(Debug, Clone, Default, PartialEq, PromGauges)]
#[prom(prefix = "spec_decode")]
pub struct SpecDecodeStats {
    /// Number of speculative tokens proposed per decoding step
    // A setting of each instance: a sum of it means nothing.
    #[prom(name = "spec_tokens", aggregate = "max")]
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
