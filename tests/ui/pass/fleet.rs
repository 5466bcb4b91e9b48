//! The fleet keys: `aggregate`, `ratio_of` and `alert` on fields and on the
//! struct, recorded in `METRICS` with the defaults filled in.

#![deny(warnings)]

use std::time::Duration;

use kvstats_core::fleet::{Aggregation, AlertDef, Condition, RatioOf};
use kvstats_core::PromGauges;

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "kv")]
#[prom(alert(absent, for = "30s", severity = "critical"))]
pub struct CacheStats {
    /// Number of active KV cache blocks
    pub active_blocks: u64,
    /// Total number of KV cache blocks
    pub total_blocks: u64,
    /// Fraction of the KV cache in use
    #[prom(
        unit = "ratio",
        ratio_of(numerator = "active_blocks", denominator = "total_blocks"),
        alert(above = 0.95, for = "5m", name = "KvCacheFull", summary = "{{ $labels.instance }} is full"),
        alert(below = 0.01)
    )]
    pub usage: f64,
    /// Prefix cache hit rate
    #[prom(aggregate = "avg, min")]
    pub hit_rate: f64,
    /// Requests preempted since the process started
    #[prom(counter, aggregate = "sum, max", alert(above = 10))]
    pub preemptions: u64,
    /// Time to first token of the requests that got one this step
    #[prom(histogram)]
    pub ttft: Vec<Duration>,
    /// Per-instance setting, not aggregated
    #[prom(aggregate = "none")]
    pub block_size: u32,
    /// Blocks in use on each tier
    #[prom(label = "tier", max = 4)]
    pub tier_blocks: Vec<u64>,
    /// Temperature of the hottest GPU
    #[prom(unit = "celsius")]
    pub gpu_temperature: f64,
}

fn main() {
    use Aggregation::*;
    let by_name = |name: &str| {
        CacheStats::METRICS
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no metric {name}"))
    };
    let aggregates: Vec<(&str, &[Aggregation])> = CacheStats::METRICS
        .iter()
        .map(|m| (m.name, m.aggregate))
        .collect();
    assert_eq!(
        aggregates,
        [
            ("kv_active_blocks", &[Sum][..]),
            ("kv_total_blocks", &[Sum]),
            ("kv_usage_ratio", &[Max]),
            ("kv_hit_rate", &[Avg, Min]),
            ("kv_preemptions_total", &[Sum, Max]),
            ("kv_ttft_seconds", &[Sum]),
            ("kv_block_size", &[]),
            ("kv_tier_blocks", &[Sum]),
            ("kv_gpu_temperature_celsius", &[Avg, Max]),
        ]
    );
    assert_eq!(
        by_name("kv_usage_ratio").ratio_of,
        Some(RatioOf {
            numerator: "kv_active_blocks",
            denominator: "kv_total_blocks",
        })
    );
    assert!(!by_name("kv_block_size").is_aggregated());
    assert_eq!(
        by_name("kv_usage_ratio").alerts,
        [
            AlertDef {
                name: "KvCacheFull",
                condition: Condition::Above(0.95),
                hold: "5m",
                severity: "warning",
                summary: "{{ $labels.instance }} is full",
            },
            AlertDef {
                name: "KvUsageRatioLow",
                condition: Condition::Below(0.01),
                hold: "5m",
                severity: "warning",
                summary: "kv_usage_ratio is below 0.01: {{ $value }}",
            },
        ]
    );
    // The struct's alert watches its first metric.
    assert_eq!(
        by_name("kv_active_blocks").alerts,
        [AlertDef {
            name: "CacheStatsAbsent",
            condition: Condition::Absent,
            hold: "30s",
            severity: "critical",
            summary: "CacheStats stopped: no series from {{ $labels.instance }}",
        }]
    );
    assert_eq!(by_name("kv_preemptions_total").alerts[0].name, "KvPreemptionsTotalHigh");
}
