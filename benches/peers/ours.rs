//! kvstats: the one place in `benches/scale.rs` that calls its API, so a
//! change of the API changes only this file.

use kvstats_core::{Component, KvStats, KvStatsGauges, Registered, Registry};

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
        let (registry, component) = kvstats::fixtures::backend();
        Kvstats {
            registry,
            component,
            gauges: Vec::new(),
        }
    }

    /// Registers the KvStats group of `rank`, publishes its values once and
    /// keeps the container; or says why kvstats refuses the rank.
    pub fn try_add(&mut self, rank: usize) -> Result<(), String> {
        let label = rank.to_string();
        let gauges = KvStatsGauges::register_with_labels(&self.component, &[("dp_rank", &label)])
            .map_err(|e| e.to_string())?;
        gauges.update_from(&stats(rank));
        self.gauges.push(gauges);
        Ok(())
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
        if let Err(e) = ours.try_add(rank) {
            panic!("kvstats refuses dp_rank={rank}: {e}");
        }
    }
    Box::new(ours)
}

/// The first `count` ranks from 0 up that kvstats registers side by side,
/// and the ranks it refused on the way with its reason. (The current code
/// refuses some: the prometheus registry it registers each group with
/// identifies a collector by the sum of its descriptors' FNV hashes, and
/// those sums collide, e.g. for `dp_rank` 968 and 960.)
pub fn usable_ranks(count: usize) -> (Vec<usize>, Vec<(usize, String)>) {
    let mut ours = Kvstats::empty();
    let mut ranks = Vec::with_capacity(count);
    let mut refused = Vec::new();
    let mut rank = 0;
    while ranks.len() < count {
        match ours.try_add(rank) {
            Ok(()) => ranks.push(rank),
            Err(e) => refused.push((rank, e)),
        }
        rank += 1;
    }
    (ranks, refused)
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
