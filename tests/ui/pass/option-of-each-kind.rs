//! An `Option` of each kind: `None` adds nothing to a counter or histogram
//! and removes a gauge's series; `Some` counts as the value would.

#![deny(warnings)]

use std::collections::BTreeMap;
use std::time::Duration;

use kvstats_core::{MetricKind, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "opt")]
pub struct OptionalStats {
    /// Tokens processed since the process started, once known
    #[prom(counter)]
    pub tokens: Option<u64>,
    /// Drafts proposed this step, when speculative decoding is on
    #[prom(counter, delta)]
    pub drafts: Option<f64>,
    /// Time this step's forward pass took, if one ran
    #[prom(histogram)]
    pub forward_pass: Option<Duration>,
    /// Requests finished this step per adapter, when adapters are loaded
    #[prom(counter, delta, label = "lora_adapter")]
    pub finished: Option<BTreeMap<String, u32>>,
    /// Tokens accepted at each draft position this step, when drafting
    #[prom(counter, delta, label = "position")]
    pub accepted: Option<Vec<u32>>,
    /// Requests running per adapter, when adapters are loaded
    #[prom(label = "lora_adapter")]
    pub running: Option<BTreeMap<String, u32>>,
}

fn main() {
    let kinds: Vec<(MetricKind, bool)> =
        OptionalStats::METRICS.iter().map(|m| (m.kind, m.delta)).collect();
    assert_eq!(
        kinds,
        [
            (MetricKind::Counter, false),
            (MetricKind::Counter, true),
            (MetricKind::Histogram, false),
            (MetricKind::Counter, true),
            (MetricKind::Counter, true),
            (MetricKind::Gauge, false),
        ]
    );
    let registry = Registry::with_prefix("").unwrap();
    let gauges = OptionalStatsGauges::register(&registry).unwrap();
    let some = OptionalStats {
        tokens: Some(10),
        drafts: Some(1.5),
        forward_pass: Some(Duration::from_millis(40)),
        finished: Some(BTreeMap::from([("sql".to_owned(), 2)])),
        accepted: Some(vec![1, 1]),
        running: Some(BTreeMap::from([("sql".to_owned(), 1)])),
    };
    gauges.update_from(&some);
    gauges.update_from(&OptionalStats::default());
    gauges.update_from(&some);
    let text = registry.prometheus_text().unwrap();
    for line in [
        "opt_tokens_total 10",
        "opt_drafts_total 3",
        "opt_forward_pass_seconds_count 2",
        r#"opt_finished_total{lora_adapter="sql"} 4"#,
        r#"opt_accepted_total{position="1"} 2"#,
        r#"opt_running{lora_adapter="sql"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    gauges.update_from(&OptionalStats::default());
    let text = registry.prometheus_text().unwrap();
    assert!(!text.contains("opt_running{"), "{text}");
    assert!(text.lines().any(|l| l == "opt_tokens_total 10"), "{text}");
}
