//! `metrics` with `metrics-exporter-prometheus`: a `PrometheusRecorder` built
//! without installing it globally, the namespace and the component as global
//! labels, `gauge!(name, "dp_rank" => rank)` under `with_local_recorder`;
//! the returned handles are kept.

use metrics::{describe_gauge, gauge, with_local_recorder, Gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use super::{ours::values, Render, Text, NAMES};
use crate::support::KV_HELP;

struct MetricsRecorder {
    handle: PrometheusHandle,
    _recorder: PrometheusRecorder,
    _gauges: Vec<[Gauge; 4]>,
}

impl Render for MetricsRecorder {
    fn render(&self) -> Text {
        Box::new(self.handle.render())
    }
}

pub fn setup(ranks: &[usize]) -> Box<dyn Render> {
    let recorder = PrometheusBuilder::new()
        .add_global_label("dynamo_namespace", "dynamo")
        .add_global_label("dynamo_component", "backend")
        .build_recorder();
    let gauges = with_local_recorder(&recorder, || {
        for (name, (_, help)) in NAMES.iter().zip(KV_HELP) {
            describe_gauge!(*name, help);
        }
        ranks
            .iter()
            .map(|&rank| {
                let label = rank.to_string();
                let values = values(rank);
                std::array::from_fn(|m| {
                    let gauge = gauge!(NAMES[m], "dp_rank" => label.clone());
                    gauge.set(values[m]);
                    gauge
                })
            })
            .collect()
    });
    Box::new(MetricsRecorder {
        handle: recorder.handle(),
        _recorder: recorder,
        _gauges: gauges,
    })
}
