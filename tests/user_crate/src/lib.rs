//! A user's crate of stats structs, for `tests/user_crate.rs`: the derive at
//! the crate root, in a submodule and inside a function, on public and private
//! structs, each documented, as users write them. It must check and document
//! without a warning.

#![deny(warnings, missing_docs)]

use kvstats_core::PromGauges;

/// KV-cache statistics of one worker, at the crate root.
#[derive(Debug, Clone, Default, PromGauges)]
#[prom(prefix = "kvstats", alert(absent, for = "30s", severity = "critical"))]
pub struct KvStats {
    /// Number of active KV cache blocks currently in use
    #[prom(name = "active_blocks", deprecated_name = "kv_active_blocks")]
    pub kv_active_blocks: u64,
    /// Total number of KV cache blocks
    #[prom(name = "total_blocks", aggregate = "sum, max")]
    pub kv_total_blocks: u64,
    /// GPU cache usage, a fraction from 0 to 1
    #[prom(
        name = "gpu_cache_usage",
        unit = "ratio",
        ratio_of(numerator = "kv_active_blocks", denominator = "kv_total_blocks"),
        alert(above = 0.95, for = "5m", name = "KvCacheFull")
    )]
    pub gpu_cache_usage_perc: f32,
}

/// Private statistics at the crate root, with the names left to the derive.
#[derive(Debug, Default, PromGauges)]
struct QueueStats {
    /// Requests waiting for a slot
    waiting: u64,
}

/// Statistics declared in a submodule.
pub mod engine {
    use kvstats_core::PromGauges;

    /// Statistics of the engine, public.
    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "engine", gauges = "EngineGauges")]
    pub struct EngineStats {
        /// Requests in flight
        pub running: u64,
        /// Draft tokens accepted at each position of the draft
        #[prom(label = "position", max = 8)]
        pub accepted_per_position: Vec<u32>,
        /// KV-cache statistics of the engine's worker
        #[prom(flatten)]
        pub kv: Option<super::KvStats>,
    }

    /// Statistics of the scheduler, private to this module.
    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "scheduler", module = "scheduler_names")]
    pub(crate) struct SchedulerStats {
        /// Sequences preempted in the last step
        pub(crate) preempted: Option<u32>,
    }

    /// The metric names of the engine and of its scheduler.
    pub fn names() -> Vec<&'static str> {
        let mut all = engine::ALL.to_vec();
        all.extend(scheduler_names::ALL);
        all.extend(SchedulerStats::METRICS.iter().map(|m| m.name));
        all
    }
}

/// Builds gauges of a struct declared inside this function.
pub fn batch_gauges() -> impl std::fmt::Debug {
    /// Statistics of one batch, declared inside a function.
    #[derive(Debug, Default, PromGauges)]
    #[prom(prefix = "batch")]
    struct BatchStats {
        /// Requests in the current batch
        requests: u64,
    }

    let gauges = BatchStatsGauges::new();
    gauges.update_from(&BatchStats { requests: 3 });
    gauges
}

/// Every metric name of this crate's structs, constants and metadata alike.
pub fn names() -> Vec<&'static str> {
    let mut all = kvstats::ALL.to_vec();
    all.extend(queue_stats::ALL);
    all.extend(QueueStats::METRICS.iter().map(|m| m.name));
    all.extend(engine::names());
    all
}

/// The `/metrics`, `/health` and `/live` routes of `registry`, for the
/// application's own axum router, as a user of the feature `tower` writes it.
#[cfg(feature = "tower")]
pub fn metrics_routes(
    registry: kvstats_core::Registry,
) -> kvstats_core::Result<kvstats_core::tower::MetricsService> {
    let backend = registry.namespace("dynamo")?.component("backend")?;
    KvStatsGauges::register(&backend)?.keep_registered();
    Ok(kvstats_core::tower::MetricsService::new(backend))
}
