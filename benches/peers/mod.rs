//! The contenders of `benches/scale.rs`: kvstats and its peer crates, each
//! holding the same KvStats series (4 gauges per data-parallel rank, labelled
//! `dynamo_namespace="dynamo"`, `dynamo_component="backend"`, `dp_rank="<i>"`)
//! and rendering them as Prometheus text with the crate's own encoder.
//!
//! Each `setup(ranks)` starts from an empty registry, registers the series
//! of the given ranks the way the crate is meant to be used, sets
//! each series once and keeps whatever the crate needs kept, handles included.

mod measured_group;
mod metrics_recorder;
pub mod ours;
mod prom_client_family;
mod prom_gauge_vec;

/// What a render returns: the crate's own buffer type, unconverted.
pub type Text = Box<dyn AsRef<[u8]>>;

/// A registry holding the series of some ranks.
pub trait Render {
    /// The Prometheus text exposition of every series.
    fn render(&self) -> Text;
}

/// One crate under comparison.
pub struct Contender {
    /// The benchmark id.
    pub name: &'static str,
    /// How the series are registered, for the report.
    pub idiom: &'static str,
    /// Registers and sets the series of these ranks, from empty.
    pub setup: fn(&[usize]) -> Box<dyn Render>,
}

/// kvstats first: the ratios are kvstats against each of the others.
pub const CONTENDERS: [Contender; 5] = [
    Contender {
        name: "kvstats",
        idiom: "KvStatsGauges::register_with_labels(dp_rank) per rank",
        setup: ours::setup,
    },
    Contender {
        name: "prometheus",
        idiom: "a GaugeVec per metric (const labels namespace/component, label dp_rank), child handles kept; \
                faster than const-labelled Gauges per rank in every measure here",
        setup: prom_gauge_vec::setup,
    },
    Contender {
        name: "prometheus_client",
        idiom: "Family<DpRank, Gauge<f64>> per metric, derived EncodeLabelSet { dp_rank: usize }, registry prefix and labels, owned handles kept",
        setup: prom_client_family::setup,
    },
    Contender {
        name: "measured",
        idiom: "MetricGroup of 4 FloatGaugeVec, LabelGroup { namespace, component enums; dp_rank in a lasso::RodeoReader }",
        setup: measured_group::setup,
    },
    Contender {
        name: "metrics_prometheus",
        idiom: "metrics::gauge!(name, \"dp_rank\" => rank) on a local PrometheusRecorder with global labels, handles kept",
        setup: metrics_recorder::setup,
    },
];

/// The full names of the four KvStats gauges, in `support::KV_HELP` order.
pub const NAMES: [&str; 4] = [
    "dynamo_component_kvstats_active_blocks",
    "dynamo_component_kvstats_total_blocks",
    "dynamo_component_kvstats_gpu_cache_usage_percent",
    "dynamo_component_kvstats_gpu_prefix_cache_hit_rate",
];
