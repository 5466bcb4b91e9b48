//! `#[prom(counter, delta)]`: fields that hold the amount since the previous
//! update, added to a running total; integers, floats and `Duration`s.

#![deny(warnings)]

use std::time::Duration;

use kvstats_core::{MetricKind, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "step")]
pub struct StepStats {
    /// Generation tokens produced in this step
    #[prom(counter, delta)]
    pub generation_tokens: u64,
    /// Energy used in this step
    #[prom(counter, delta, unit = "joules")]
    pub energy: f64,
    /// Time this step spent in the scheduler
    #[prom(counter, delta)]
    pub scheduler: Duration,
    /// Drafts proposed in this step, when speculative decoding is on
    #[prom(counter, delta)]
    pub drafts: Option<u32>,
}

fn main() {
    let names: Vec<&str> = StepStats::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        [
            "step_generation_tokens_total",
            "step_energy_joules_total",
            "step_scheduler_seconds_total",
            "step_drafts_total",
        ]
    );
    for metric in StepStats::METRICS {
        assert_eq!(metric.kind, MetricKind::Counter, "{}", metric.name);
        assert!(metric.delta, "{}", metric.name);
    }
    assert_eq!(StepStats::METRICS[2].unit, Some("seconds"));

    let registry = Registry::with_prefix("").unwrap();
    let gauges = StepStatsGauges::register(&registry).unwrap();
    let step = StepStats {
        generation_tokens: 10,
        energy: 0.5,
        scheduler: Duration::from_millis(250),
        drafts: None,
    };
    gauges.update_from(&step);
    gauges.update_from(&StepStats { drafts: Some(3), ..step });
    assert_eq!(gauges.generation_tokens.get(), 20.0);
    assert_eq!(gauges.energy.get(), 1.0);
    assert_eq!(gauges.scheduler.get(), 0.5);
    assert_eq!(gauges.drafts.get(), 3.0);
    let text = registry.prometheus_text().unwrap();
    assert!(text.lines().any(|l| l == "step_generation_tokens_total 20"), "{text}");
}
