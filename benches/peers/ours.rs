//! kvstats: the one place in `benches/scale.rs` that calls its API, so a
//! change of the API changes only this file.

use kvstats_core::dynamo::{KvStats, KvStatsGauges};
use kvstats_core::{Component, Registered, Registry};

use super::{Render, Text};
use crate::support::kv_stats;

/// A registry, its `backend` component and the containers registered on it.
pub struct Kvstats {
    registry: Registry,
    component: Component,
    gauges: Vec<Registered<KvStatsGauges>>,
}

impl Kvstats {
    /// The fixture registry, nothing registered yet.
    pub fn empty() -> Self {
        let (registry, component) = harness::fixtures::backend();
        Kvstats {
            registry,
            component,
            gauges: Vec::new(),
        }
    }

    /// Registers the KvStats group of `rank`, publishes its values once and
    /// keeps the container.
    pub fn add(&mut self, rank: usize) {
        let label = rank.to_string();
        let gauges = KvStatsGauges::register_with_labels(&self.component, &[("dp_rank", &label)])
            .unwrap_or_else(|e| panic!("kvstats refuses dp_rank={rank}: {e}"));
        gauges.update_from(&stats(rank));
        self.gauges.push(gauges);
    }
}

impl Render for Kvstats {
    fn render(&self) -> Text {
        Box::new(self.registry.prometheus_text().expect("renders"))
    }
}

pub fn setup(ranks: &[usize]) -> Box<dyn Render> {
    let mut ours = Kvstats::empty();
    for &rank in ranks {
        ours.add(rank);
    }
    Box::new(ours)
}

fn stats(rank: usize) -> KvStats {
    KvStats {
        kv_active_blocks: 1000 + rank as u64,
        ..kv_stats()
    }
}

/// What rank `rank` publishes, in `support::KV_HELP` order, as the `f64`
/// kvstats exports; the peers set these.
pub fn values(rank: usize) -> [f64; 4] {
    let s = stats(rank);
    [
        s.kv_active_blocks as f64,
        s.kv_total_blocks as f64,
        s.gpu_cache_usage_perc as f64,
        s.gpu_prefix_cache_hit_rate as f64,
    ]
}
