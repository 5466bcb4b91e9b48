//! The `published ...` line the worker prints per publish with
//! `--print-published`, and its reader: one definition for both sides, so
//! the tests that compare a scrape against it cannot drift from the worker.

use std::fmt;

use kvstats_core::dynamo::{kvstats, ForwardPassMetrics};

/// The KV-cache values one rank published in one step, as the scrape shows
/// them: floats are the `f64` the gauge holds, printed the way the text
/// exposition prints them, so a value from this line and one parsed from a
/// scrape compare equal.
///
/// ```
/// use simulation::published::Published;
///
/// let line = "published rank=1 step=3 kv_active_blocks=58 kv_total_blocks=12894 \
///             gpu_cache_usage_perc=0.004498216323554516 gpu_prefix_cache_hit_rate=0.5";
/// let published = Published::parse(line).unwrap();
/// assert_eq!((published.rank, published.kv_active_blocks), (1, 58));
/// assert_eq!(published.to_string(), line);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Published {
    /// The data-parallel rank (the `dp_rank` label).
    pub rank: u32,
    /// 1 for the first publish of the rank.
    pub step: u64,
    /// `kvstats_active_blocks`.
    pub kv_active_blocks: u64,
    /// `kvstats_total_blocks`.
    pub kv_total_blocks: u64,
    /// `kvstats_gpu_cache_usage_percent`.
    pub gpu_cache_usage_perc: f64,
    /// `kvstats_gpu_prefix_cache_hit_rate`.
    pub gpu_prefix_cache_hit_rate: f64,
}

impl Published {
    /// The line for `metrics`, published by `rank` as its `step`th update.
    ///
    /// ```
    /// use simulation::published::Published;
    /// use kvstats_core::dynamo::ForwardPassMetrics;
    ///
    /// let line = Published::of(0, 1, &ForwardPassMetrics::default());
    /// assert_eq!(line.kv_total_blocks, 0);
    /// ```
    pub fn of(rank: u32, step: u64, metrics: &ForwardPassMetrics) -> Self {
        let kv = &metrics.kv_stats;
        Published {
            rank,
            step,
            kv_active_blocks: kv.kv_active_blocks,
            kv_total_blocks: kv.kv_total_blocks,
            gpu_cache_usage_perc: f64::from(kv.gpu_cache_usage_perc),
            gpu_prefix_cache_hit_rate: f64::from(kv.gpu_prefix_cache_hit_rate),
        }
    }

    /// Reads a line printed by `Display`; `None` for any other line.
    pub fn parse(line: &str) -> Option<Self> {
        let mut fields = line.strip_prefix("published ")?.split(' ');
        let mut next = |key: &str| fields.next()?.strip_prefix(key)?.strip_prefix('=');
        Some(Published {
            rank: next("rank")?.parse().ok()?,
            step: next("step")?.parse().ok()?,
            kv_active_blocks: next("kv_active_blocks")?.parse().ok()?,
            kv_total_blocks: next("kv_total_blocks")?.parse().ok()?,
            gpu_cache_usage_perc: next("gpu_cache_usage_perc")?.parse().ok()?,
            gpu_prefix_cache_hit_rate: next("gpu_prefix_cache_hit_rate")?.parse().ok()?,
        })
    }

    /// The scrape's metric name (after `dynamo_component_`) and value of each
    /// published KV-cache field.
    ///
    /// ```
    /// let published = simulation::published::Published::parse(
    ///     "published rank=0 step=1 kv_active_blocks=1 kv_total_blocks=2 \
    ///      gpu_cache_usage_perc=0.5 gpu_prefix_cache_hit_rate=0",
    /// ).unwrap();
    /// assert_eq!(published.metrics()[0], ("kvstats_active_blocks", 1.0));
    /// ```
    pub fn metrics(&self) -> [(&'static str, f64); 4] {
        [
            (kvstats::ACTIVE_BLOCKS, self.kv_active_blocks as f64),
            (kvstats::TOTAL_BLOCKS, self.kv_total_blocks as f64),
            (kvstats::GPU_CACHE_USAGE_PERCENT, self.gpu_cache_usage_perc),
            (
                kvstats::GPU_PREFIX_CACHE_HIT_RATE,
                self.gpu_prefix_cache_hit_rate,
            ),
        ]
    }
}

impl fmt::Display for Published {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "published rank={} step={} kv_active_blocks={} kv_total_blocks={} \
             gpu_cache_usage_perc={} gpu_prefix_cache_hit_rate={}",
            self.rank,
            self.step,
            self.kv_active_blocks,
            self.kv_total_blocks,
            self.gpu_cache_usage_perc,
            self.gpu_prefix_cache_hit_rate,
        )
    }
}
