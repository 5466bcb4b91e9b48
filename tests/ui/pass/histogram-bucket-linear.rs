//! `#[prom(histogram(buckets = linear(start, width, count)))]`.

#![deny(warnings)]

use kvstats_core::{Histogram, MetricKind, PromGauges};

#[derive(Debug, Default, PromGauges)]
#[prom(prefix = "step")]
pub struct StepStats {
    /// Requests in each batch of this step
    #[prom(histogram(buckets = linear(1, 1, 8)))]
    pub batch_size: Vec<usize>,
    /// Temperature of each GPU at the end of the step
    #[prom(histogram(buckets = linear(-10, 20.5, 3)), unit = "celsius")]
    pub gpu_temperature: [f32; 2],
}

fn main() {
    let [batch, temperature] = StepStats::METRICS else { panic!("two metrics") };
    assert_eq!(batch.kind, MetricKind::Histogram);
    assert_eq!(batch.buckets, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    assert_eq!(temperature.name, "step_gpu_temperature_celsius");
    assert_eq!(temperature.buckets, [-10.0, 10.5, 31.0]);
    let gauges = StepStatsGauges::new();
    let _: &Histogram<9> = &gauges.batch_size;
    gauges.update_from(&StepStats { batch_size: vec![1, 9], gpu_temperature: [40.0, 50.0] });
    let (buckets, sum) = gauges.batch_size.cumulative();
    assert_eq!((buckets[0], buckets[8], sum), (1, 2, 10.0));
}
