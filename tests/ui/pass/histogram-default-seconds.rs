//! `#[prom(histogram)]` without buckets on `Duration`s: unit seconds and
//! Prometheus' default buckets, 5 ms to 10 s.

#![deny(warnings)]

use std::time::Duration;

use kvstats_core::{Histogram, MetricKind, PromGauges, Registry};

const DEFAULT: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "engine")]
pub struct StepStats {
    /// Time to first token of each request that got its first token this step
    #[prom(histogram, name = "time_to_first_token")]
    pub ttft: Vec<Duration>,
    /// Time this step's forward pass took, if one ran
    #[prom(histogram)]
    pub forward_pass: Option<Duration>,
    /// Queue time of each request admitted this step, in seconds
    #[prom(histogram, unit = "seconds")]
    pub queue_time: Vec<f64>,
}

fn main() {
    let names: Vec<&str> = StepStats::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        [
            "engine_time_to_first_token_seconds",
            "engine_forward_pass_seconds",
            "engine_queue_time_seconds",
        ]
    );
    for metric in StepStats::METRICS {
        assert_eq!(metric.kind, MetricKind::Histogram, "{}", metric.name);
        assert_eq!(metric.unit, Some("seconds"), "{}", metric.name);
        assert_eq!(metric.buckets, DEFAULT, "{}", metric.name);
    }
    let registry = Registry::with_prefix("").unwrap();
    let gauges = StepStatsGauges::register(&registry).unwrap();
    let _: &Histogram<12> = &gauges.ttft;
    gauges.update_from(&StepStats {
        ttft: vec![Duration::from_millis(30), Duration::from_secs(20)],
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    for line in [
        "# TYPE engine_time_to_first_token_seconds histogram",
        r#"engine_time_to_first_token_seconds_bucket{le="0.025"} 0"#,
        r#"engine_time_to_first_token_seconds_bucket{le="0.05"} 1"#,
        r#"engine_time_to_first_token_seconds_bucket{le="10"} 1"#,
        r#"engine_time_to_first_token_seconds_bucket{le="+Inf"} 2"#,
        "engine_time_to_first_token_seconds_count 2",
        "engine_forward_pass_seconds_count 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
}
