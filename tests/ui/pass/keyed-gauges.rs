//! `#[prom(label = "..")]` on maps and sequences of pairs: one gauge series
//! per key, the key written by its `Display`.

#![deny(warnings)]

use std::collections::{BTreeMap, HashMap};

use kvstats_core::{MetricKind, PerKey, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "engine")]
pub struct EngineStats {
    /// Requests running per LoRA adapter
    #[prom(label = "lora_adapter")]
    pub running: HashMap<String, u32>,
    /// Requests waiting per priority
    #[prom(label = "priority", max = 4)]
    pub waiting: BTreeMap<u8, u64>,
    /// KV cache usage per tier, as a ratio
    #[prom(label = "tier", unit = "ratio")]
    pub usage: Vec<(&'static str, f64)>,
    /// Whether each of the two GPUs is healthy
    #[prom(label = "gpu")]
    pub healthy: [(char, bool); 2],
}

fn main() {
    let labels: Vec<&[&str]> = EngineStats::METRICS.iter().map(|m| m.labels).collect();
    assert_eq!(labels, [&["lora_adapter"][..], &["priority"], &["tier"], &["gpu"]]);
    for metric in EngineStats::METRICS {
        assert_eq!(metric.kind, MetricKind::Gauge, "{}", metric.name);
    }
    assert_eq!(EngineStats::METRICS[2].name, "engine_usage_ratio");

    let registry = Registry::with_prefix("").unwrap();
    let gauges = EngineStatsGauges::register(&registry).unwrap();
    let _: &PerKey<64> = &gauges.running;
    let _: &PerKey<4> = &gauges.waiting;
    gauges.update_from(&EngineStats {
        running: HashMap::from([("sql".to_owned(), 2)]),
        waiting: BTreeMap::from([(0, 5), (1, 7)]),
        usage: vec![("gpu", 0.5), ("cpu", 0.25)],
        healthy: [('a', true), ('b', false)],
    });
    let text = registry.prometheus_text().unwrap();
    for line in [
        r#"engine_running{lora_adapter="sql"} 2"#,
        r#"engine_waiting{priority="1"} 7"#,
        r#"engine_usage_ratio{tier="cpu"} 0.25"#,
        r#"engine_healthy{gpu="b"} 0"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
}
