//! `measured`: a `MetricGroup` of four `FloatGaugeVec`s over one label group,
//! the namespace and the component single-variant enums, `dp_rank` a string
//! interned up front in a `lasso::RodeoReader` (the set of ranks is known at
//! start). Its vectors are dense arrays indexed by label: there is no handle
//! to keep, a publisher sets values by label.

// The code `#[derive(MetricGroup)]` writes for each help line passes a `()`
// on, which clippy flags (`unit_arg`) at the doc comment.
#![allow(clippy::unit_arg)]

use std::sync::Arc;

use lasso::{Rodeo, RodeoReader};
use measured::text::BufferedTextEncoder;
use measured::{FixedCardinalityLabel, FloatGaugeVec, LabelGroup, MetricGroup};

use super::{ours::values, Render, Text};

#[derive(FixedCardinalityLabel, Clone, Copy)]
enum Namespace {
    Dynamo,
}

#[derive(FixedCardinalityLabel, Clone, Copy)]
enum Component {
    Backend,
}

#[derive(LabelGroup, Clone, Copy)]
#[label(set = KvLabelsSet)]
struct KvLabels<'a> {
    dynamo_namespace: Namespace,
    dynamo_component: Component,
    #[label(fixed_with = Arc<RodeoReader>)]
    dp_rank: &'a str,
}

#[derive(MetricGroup)]
#[metric(new(ranks: Arc<RodeoReader>))]
struct KvGauges {
    /// Number of active KV cache blocks currently in use
    #[metric(
        rename = "dynamo_component_kvstats_active_blocks",
        label_set = KvLabelsSet::new(ranks.clone())
    )]
    active: FloatGaugeVec<KvLabelsSet>,
    /// Total number of KV cache blocks available
    #[metric(
        rename = "dynamo_component_kvstats_total_blocks",
        label_set = KvLabelsSet::new(ranks.clone())
    )]
    total: FloatGaugeVec<KvLabelsSet>,
    /// GPU cache usage as a percentage (0.0-1.0)
    #[metric(
        rename = "dynamo_component_kvstats_gpu_cache_usage_percent",
        label_set = KvLabelsSet::new(ranks.clone())
    )]
    usage: FloatGaugeVec<KvLabelsSet>,
    /// GPU prefix cache hit rate as a percentage (0.0-1.0)
    #[metric(
        rename = "dynamo_component_kvstats_gpu_prefix_cache_hit_rate",
        label_set = KvLabelsSet::new(ranks)
    )]
    hit: FloatGaugeVec<KvLabelsSet>,
}

impl Render for KvGauges {
    fn render(&self) -> Text {
        let mut encoder = BufferedTextEncoder::new();
        let Ok(()) = self.collect_group_into(&mut encoder);
        Box::new(encoder.finish())
    }
}

pub fn setup(ranks: &[usize]) -> Box<dyn Render> {
    let labels: Vec<String> = ranks.iter().map(|rank| rank.to_string()).collect();
    let interned: Rodeo = labels.iter().collect();
    let gauges = KvGauges::new(Arc::new(interned.into_reader()));
    for (&rank, label) in ranks.iter().zip(&labels) {
        let labels = KvLabels {
            dynamo_namespace: Namespace::Dynamo,
            dynamo_component: Component::Backend,
            dp_rank: label,
        };
        let [active, total, usage, hit] = values(rank);
        gauges.active.set(labels, active);
        gauges.total.set(labels, total);
        gauges.usage.set(labels, usage);
        gauges.hit.set(labels, hit);
    }
    Box::new(gauges)
}
