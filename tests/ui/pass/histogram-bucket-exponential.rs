//! `#[prom(histogram(buckets = exponential(start, factor, count)))]`.

#![deny(warnings)]

use kvstats_core::{Histogram, MetricKind, PromGauges};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "step")]
pub struct StepStats {
    /// Tokens in each prompt admitted this step
    #[prom(histogram(buckets = exponential(16, 4, 5)))]
    pub prompt_tokens: Vec<u32>,
    /// Time per output token of each request of this step
    #[prom(histogram(buckets = exponential(0.125, 2, 4)), unit = "seconds")]
    pub tpot: &'static [f64],
}

fn main() {
    let [prompt, tpot] = StepStats::METRICS else { panic!("two metrics") };
    assert_eq!(prompt.kind, MetricKind::Histogram);
    assert_eq!(prompt.buckets, [16.0, 64.0, 256.0, 1024.0, 4096.0]);
    assert_eq!(tpot.name, "step_tpot_seconds");
    assert_eq!(tpot.buckets, [0.125, 0.25, 0.5, 1.0]);
    let gauges = StepStatsGauges::new();
    let _: &Histogram<6> = &gauges.prompt_tokens;
    let _: &Histogram<5> = &gauges.tpot;
    gauges.update_from(&StepStats { prompt_tokens: vec![20, 20], tpot: &[0.002] });
    assert_eq!(gauges.prompt_tokens.cumulative(), ([0, 2, 2, 2, 2, 2], 40.0));
}
