//! `#[prom(histogram(buckets = [..]))]`: the bounds as listed, `+Inf`
//! implied, on numbers and on a vector, an array and an `Option` of them.

#![deny(warnings)]

use kvstats_core::{Histogram, MetricKind, PromGauges, Registry};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "step")]
pub struct StepStats {
    /// Tokens in each prompt admitted this step
    #[prom(histogram(buckets = [64, 512, 4096]))]
    pub prompt_tokens: Vec<u32>,
    /// Batch size of this step
    #[prom(histogram(buckets = [1, 8, 64]))]
    pub batch_size: usize,
    /// Tokens accepted by each of the four drafters this step
    #[prom(histogram(buckets = [0.5, 1.5, 2.5]))]
    pub accepted: [u8; 4],
    /// Queue length at the end of the step, when known
    #[prom(histogram(buckets = [-1, 0, 10.5]))]
    pub queue: Option<i64>,
}

fn main() {
    for metric in StepStats::METRICS {
        assert_eq!(metric.kind, MetricKind::Histogram, "{}", metric.name);
        assert!(!metric.delta && metric.labels.is_empty(), "{}", metric.name);
    }
    let buckets: Vec<&[f64]> = StepStats::METRICS.iter().map(|m| m.buckets).collect();
    assert_eq!(
        buckets,
        [&[64.0, 512.0, 4096.0][..], &[1.0, 8.0, 64.0], &[0.5, 1.5, 2.5], &[-1.0, 0.0, 10.5]]
    );
    assert_eq!(StepStats::METRICS[0].series_suffixes(), ["_bucket", "_sum", "_count"]);

    let registry = Registry::with_prefix("").unwrap();
    let gauges = StepStatsGauges::register(&registry).unwrap();
    // Three bounds and `+Inf`.
    let _: &Histogram<4> = &gauges.prompt_tokens;
    gauges.update_from(&StepStats {
        prompt_tokens: vec![10, 600, 5000],
        accepted: [0, 1, 2, 3],
        ..Default::default()
    });
    let text = registry.prometheus_text().unwrap();
    for line in [
        r#"step_prompt_tokens_bucket{le="64"} 1"#,
        r#"step_prompt_tokens_bucket{le="512"} 1"#,
        r#"step_prompt_tokens_bucket{le="4096"} 2"#,
        r#"step_prompt_tokens_bucket{le="+Inf"} 3"#,
        "step_prompt_tokens_sum 5610",
        "step_prompt_tokens_count 3",
        "step_accepted_count 4",
        "step_queue_count 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
}
