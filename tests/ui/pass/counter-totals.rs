//! `#[prom(counter)]`: fields that hold a running total, exported as
//! counters whose names end in `_total` (appended once).

#![deny(warnings)]

use kvstats_core::{Counter, MetricKind, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "engine")]
pub struct EngineStats {
    /// Prompt tokens processed since the process started
    #[prom(counter)]
    pub prompt_tokens: u64,
    /// Preemptions since the process started
    #[prom(counter, name = "num_preemptions_total")]
    pub preemptions: u32,
    /// Time spent in forward passes since the process started
    #[prom(counter, unit = "seconds")]
    pub forward_time: f64,
    /// Prefix cache hits since the cache was created, once it is
    #[prom(counter)]
    pub prefix_cache_hits: Option<u64>,
}

fn main() {
    let names: Vec<&str> = EngineStats::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        [
            "engine_prompt_tokens_total",
            "engine_num_preemptions_total",
            "engine_forward_time_seconds_total",
            "engine_prefix_cache_hits_total",
        ]
    );
    for metric in EngineStats::METRICS {
        assert_eq!(metric.kind, MetricKind::Counter, "{}", metric.name);
        assert!(!metric.delta && metric.buckets.is_empty(), "{}", metric.name);
    }
    assert_eq!(engine::PROMPT_TOKENS_TOTAL, "engine_prompt_tokens_total");

    let registry = Registry::with_prefix("").unwrap();
    let gauges = EngineStatsGauges::register(&registry).unwrap();
    let _: &Counter = &gauges.prompt_tokens;
    gauges.update_from(&EngineStats { prompt_tokens: 100, ..Default::default() });
    gauges.update_from(&EngineStats { prompt_tokens: 250, ..Default::default() });
    assert_eq!(gauges.prompt_tokens.get(), 250.0);
    assert_eq!(gauges.prefix_cache_hits.value(), None);
    let text = registry.prometheus_text().unwrap();
    assert!(text.lines().any(|l| l == "# TYPE engine_prompt_tokens_total counter"), "{text}");
    assert!(text.lines().any(|l| l == "engine_prompt_tokens_total 250"), "{text}");
}
