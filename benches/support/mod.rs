//! What the benchmarks compare against, and the ratio report.
//!
//! The baselines are what inference crates write by hand today: a struct of
//! `prometheus::Gauge` (what the reference runtime became), its first version
//! (`RwLock<Option<Arc<..>>>` of `Option<Gauge>`), `GaugeVec` lookups, and the
//! physical limit, plain relaxed atomic stores of the same values.
#![allow(dead_code)] // each bench binary uses a part

pub mod servers;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, RwLock};

use kvstats_core::dynamo::{ForwardPassMetrics, KvStats, SpecDecodeStats, WorkerStats};
use prometheus::{Gauge, GaugeVec, Opts};

pub const KV_HELP: [(&str, &str); 4] = [
    (
        "kvstats_active_blocks",
        "Number of active KV cache blocks currently in use",
    ),
    (
        "kvstats_total_blocks",
        "Total number of KV cache blocks available",
    ),
    (
        "kvstats_gpu_cache_usage_percent",
        "GPU cache usage as a percentage (0.0-1.0)",
    ),
    (
        "kvstats_gpu_prefix_cache_hit_rate",
        "GPU prefix cache hit rate as a percentage (0.0-1.0)",
    ),
];

pub fn kv_stats() -> KvStats {
    KvStats {
        kv_active_blocks: 4_242,
        kv_total_blocks: 12_894,
        gpu_cache_usage_perc: 0.329,
        gpu_prefix_cache_hit_rate: 0.61,
    }
}

pub fn forward_pass() -> ForwardPassMetrics {
    ForwardPassMetrics {
        worker_stats: WorkerStats {
            data_parallel_rank: Some(0),
            request_active_slots: 17,
            request_total_slots: 64,
            num_requests_waiting: 3,
        },
        kv_stats: kv_stats(),
        spec_decode_stats: Some(SpecDecodeStats {
            num_spec_tokens: Some(4),
            num_drafts: Some(120),
            num_draft_tokens: Some(480),
            num_accepted_tokens: Some(301),
            num_accepted_tokens_per_pos: Some(vec![110, 88, 62, 41]),
        }),
    }
}

/// A gauge registered by hand with the reference's labels plus `extra`.
pub fn hand_gauge(
    registry: &prometheus::Registry,
    name: &str,
    help: &str,
    extra: &[(&str, &str)],
) -> Gauge {
    let mut labels: HashMap<String, String> = [
        ("dynamo_namespace", "dynamo"),
        ("dynamo_component", "backend"),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    labels.retain(|_, v| !v.is_empty());
    let opts = Opts::new(format!("dynamo_component_{name}"), help).const_labels(labels);
    let gauge = Gauge::with_opts(opts).expect("valid gauge");
    registry
        .register(Box::new(gauge.clone()))
        .expect("registered once");
    gauge
}

/// The reference's hand-written container for KvStats.
pub struct HandKv {
    active: Gauge,
    total: Gauge,
    usage: Gauge,
    hit: Gauge,
}

impl HandKv {
    pub fn register(registry: &prometheus::Registry, extra: &[(&str, &str)]) -> Self {
        let g = |i: usize| hand_gauge(registry, KV_HELP[i].0, KV_HELP[i].1, extra);
        HandKv {
            active: g(0),
            total: g(1),
            usage: g(2),
            hit: g(3),
        }
    }

    #[inline]
    pub fn update(&self, s: &KvStats) {
        self.active.set(s.kv_active_blocks as f64);
        self.total.set(s.kv_total_blocks as f64);
        self.usage.set(s.gpu_cache_usage_perc as f64);
        self.hit.set(s.gpu_prefix_cache_hit_rate as f64);
    }
}

/// The reference's first version: gauges behind a lock, each optional.
#[derive(Default)]
pub struct RefKv {
    gauges: RwLock<Option<Arc<RefKvGauges>>>,
}

pub struct RefKvGauges {
    active: Option<Gauge>,
    total: Option<Gauge>,
    usage: Option<Gauge>,
    hit: Option<Gauge>,
}

impl RefKv {
    pub fn register(registry: &prometheus::Registry, extra: &[(&str, &str)]) -> Self {
        let g = |i: usize| Some(hand_gauge(registry, KV_HELP[i].0, KV_HELP[i].1, extra));
        RefKv {
            gauges: RwLock::new(Some(Arc::new(RefKvGauges {
                active: g(0),
                total: g(1),
                usage: g(2),
                hit: g(3),
            }))),
        }
    }

    #[inline]
    pub fn update(&self, s: &KvStats) {
        let guard = self.gauges.read().expect("not poisoned");
        if let Some(g) = guard.as_ref() {
            if let Some(x) = &g.active {
                x.set(s.kv_active_blocks as f64);
            }
            if let Some(x) = &g.total {
                x.set(s.kv_total_blocks as f64);
            }
            if let Some(x) = &g.usage {
                x.set(s.gpu_cache_usage_perc as f64);
            }
            if let Some(x) = &g.hit {
                x.set(s.gpu_prefix_cache_hit_rate as f64);
            }
        }
    }
}

/// One `GaugeVec` per metric, looked up by label values on every update.
pub struct VecKv {
    vecs: Vec<GaugeVec>,
}

impl VecKv {
    pub fn register(registry: &prometheus::Registry) -> Self {
        let vecs = KV_HELP
            .iter()
            .map(|(name, help)| {
                let v = GaugeVec::new(
                    Opts::new(format!("dynamo_component_{name}"), *help),
                    &["dynamo_namespace", "dynamo_component"],
                )
                .expect("valid vec");
                registry
                    .register(Box::new(v.clone()))
                    .expect("registered once");
                v
            })
            .collect();
        VecKv { vecs }
    }

    #[inline]
    pub fn update(&self, s: &KvStats) {
        let values = [
            s.kv_active_blocks as f64,
            s.kv_total_blocks as f64,
            s.gpu_cache_usage_perc as f64,
            s.gpu_prefix_cache_hit_rate as f64,
        ];
        for (vec, value) in self.vecs.iter().zip(values) {
            vec.with_label_values(&["dynamo", "backend"]).set(value);
        }
    }
}

/// The physical limit: relaxed stores of the same values, nothing else.
#[derive(Default)]
pub struct RawKv {
    cells: [AtomicU64; 4],
}

impl RawKv {
    #[inline]
    pub fn update(&self, s: &KvStats) {
        self.cells[0].store((s.kv_active_blocks as f64).to_bits(), Relaxed);
        self.cells[1].store((s.kv_total_blocks as f64).to_bits(), Relaxed);
        self.cells[2].store((s.gpu_cache_usage_perc as f64).to_bits(), Relaxed);
        self.cells[3].store((s.gpu_prefix_cache_hit_rate as f64).to_bits(), Relaxed);
    }
}

/// Hand-written gauges for the whole `ForwardPassMetrics`: a gauge per
/// scalar, and a preallocated gauge per draft position.
pub struct HandFull {
    worker: [Gauge; 3],
    kv: HandKv,
    spec: [Gauge; 4],
    positions: Vec<Gauge>,
}

impl HandFull {
    pub fn register(registry: &prometheus::Registry) -> Self {
        let g = |name: &str| hand_gauge(registry, name, "help", &[]);
        let positions = (0..64)
            .map(|p| {
                let pos = p.to_string();
                hand_gauge(
                    registry,
                    "spec_decode_accepted_tokens_per_position",
                    "help",
                    &[("position", &pos)],
                )
            })
            .collect();
        HandFull {
            worker: [
                g("worker_request_active_slots"),
                g("worker_request_total_slots"),
                g("worker_requests_waiting"),
            ],
            kv: HandKv::register(registry, &[]),
            spec: [
                g("spec_decode_spec_tokens"),
                g("spec_decode_drafts"),
                g("spec_decode_draft_tokens"),
                g("spec_decode_accepted_tokens"),
            ],
            positions,
        }
    }

    #[inline]
    pub fn update(&self, m: &ForwardPassMetrics) {
        let w = &m.worker_stats;
        self.worker[0].set(w.request_active_slots as f64);
        self.worker[1].set(w.request_total_slots as f64);
        self.worker[2].set(w.num_requests_waiting as f64);
        self.kv.update(&m.kv_stats);
        if let Some(s) = &m.spec_decode_stats {
            let values = [
                s.num_spec_tokens,
                s.num_drafts,
                s.num_draft_tokens,
                s.num_accepted_tokens,
            ];
            for (g, v) in self.spec.iter().zip(values) {
                if let Some(v) = v {
                    g.set(v as f64);
                }
            }
            if let Some(per_pos) = &s.num_accepted_tokens_per_pos {
                for (g, v) in self.positions.iter().zip(per_pos) {
                    g.set(*v as f64);
                }
            }
        }
    }
}

/// Relaxed stores of every `ForwardPassMetrics` value, and the position count.
pub struct RawFull {
    scalars: [AtomicU64; 11],
    positions: [AtomicU64; 64],
    len: AtomicUsize,
}

impl Default for RawFull {
    fn default() -> Self {
        RawFull {
            scalars: Default::default(),
            positions: [const { AtomicU64::new(0) }; 64],
            len: AtomicUsize::new(0),
        }
    }
}

impl RawFull {
    #[inline]
    pub fn update(&self, m: &ForwardPassMetrics) {
        let w = &m.worker_stats;
        let k = &m.kv_stats;
        let mut values = [
            w.request_active_slots as f64,
            w.request_total_slots as f64,
            w.num_requests_waiting as f64,
            k.kv_active_blocks as f64,
            k.kv_total_blocks as f64,
            k.gpu_cache_usage_perc as f64,
            k.gpu_prefix_cache_hit_rate as f64,
            0.0,
            0.0,
            0.0,
            0.0,
        ];
        if let Some(s) = &m.spec_decode_stats {
            let spec = [
                s.num_spec_tokens,
                s.num_drafts,
                s.num_draft_tokens,
                s.num_accepted_tokens,
            ];
            for (slot, v) in values[7..].iter_mut().zip(spec) {
                *slot = v.map_or(f64::NAN, f64::from);
            }
            if let Some(per_pos) = &s.num_accepted_tokens_per_pos {
                for (cell, v) in self.positions.iter().zip(per_pos) {
                    cell.store(f64::from(*v).to_bits(), Relaxed);
                }
                self.len.store(per_pos.len().min(64), Relaxed);
            }
        }
        for (cell, v) in self.scalars.iter().zip(values) {
            cell.store(v.to_bits(), Relaxed);
        }
    }
}

/// Where criterion writes its estimates: `target/criterion`.
pub fn criterion_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|target| target.join("criterion"))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// criterion writing to [`criterion_dir`], with 1 s of warm-up and 3 s of
/// measurement per benchmark (enough for the millisecond renders of the
/// large setups, and short on a 2-core CI machine), then the command line's
/// options.
pub fn short_criterion() -> criterion::Criterion {
    criterion::Criterion::default()
        .output_directory(&criterion_dir())
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args()
}

/// The median of one benchmark of this run, in nanoseconds.
pub fn median_ns(group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// Prints each benchmark of `group` as a ratio to `baseline`, from the
/// medians criterion just measured.
pub fn print_ratios(group: &str, ours: &str, baselines: &[&str]) {
    let Some(ours_ns) = median_ns(group, ours) else {
        println!("{group}: no estimate for {ours} (filtered out?)");
        return;
    };
    println!("\n{group}: {ours} median {}", human(ours_ns));
    for baseline in baselines {
        if let Some(base_ns) = median_ns(group, baseline) {
            println!(
                "  {ours} / {baseline:<28} = {:>6.2}x   ({} vs {})",
                ours_ns / base_ns,
                human(ours_ns),
                human(base_ns)
            );
        }
    }
}

fn human(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.2} ns")
    }
}
