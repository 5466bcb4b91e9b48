//! `prometheus-client`: a `Family<DpRank, Gauge<f64>>` per metric, the label
//! set a struct deriving `EncodeLabelSet`, the `dynamo_component` prefix and
//! the namespace and component labels on the registry; each rank's gauges
//! are taken once (`get_or_create_owned`) and kept.

use std::borrow::Cow;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{text::encode, EncodeLabelSet};
use prometheus_client::metrics::{family::Family, gauge::Gauge};
use prometheus_client::registry::Registry;

use super::{ours::values, Render, Text};
use crate::support::KV_HELP;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DpRank {
    dp_rank: usize,
}

type F64Gauge = Gauge<f64, AtomicU64>;

struct PromClientFamily {
    registry: Registry,
    _gauges: Vec<[F64Gauge; 4]>,
}

impl Render for PromClientFamily {
    fn render(&self) -> Text {
        let mut text = String::new();
        encode(&mut text, &self.registry).expect("encodes");
        Box::new(text)
    }
}

pub fn setup(ranks: &[usize]) -> Box<dyn Render> {
    let labels = [
        ("dynamo_namespace", "dynamo"),
        ("dynamo_component", "backend"),
    ]
    .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)));
    let mut registry = Registry::with_prefix_and_labels("dynamo_component", labels.into_iter());
    let families: [Family<DpRank, F64Gauge>; 4] = Default::default();
    for (family, (name, help)) in families.iter().zip(KV_HELP) {
        registry.register(name, help, family.clone());
    }
    let gauges = ranks
        .iter()
        .map(|&rank| {
            let values = values(rank);
            std::array::from_fn(|m| {
                let gauge = families[m].get_or_create_owned(&DpRank { dp_rank: rank });
                gauge.set(values[m]);
                gauge
            })
        })
        .collect();
    Box::new(PromClientFamily {
        registry,
        _gauges: gauges,
    })
}
