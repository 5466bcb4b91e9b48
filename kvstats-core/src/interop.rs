//! The bridge to the `prometheus` crate: one collector per registry, so a
//! `prometheus::Registry`'s `gather()` includes every kvstats family, built
//! from the same plan and in the same order as the text exposition.
//!
//! The bridge declares no descriptors (the `prometheus` crate allows one such
//! collector per registry): kvstats decides identity and consistency itself,
//! at registration, and families change as containers come and go.
//!
//! Its one rule: while kvstats gathers the *other* collectors of that
//! registry for its own scrape ([`foreign_families`]), the bridge contributes
//! nothing on that thread, because the scrape writes the kvstats families
//! straight from the cells. Both halves of that rule live in this file.

use std::cell::Cell;
use std::sync::{Arc, RwLock, Weak};

use prometheus::core::{Collector, Desc};
use prometheus::proto::{
    Bucket, Counter, Gauge, Histogram, LabelPair, Metric, MetricFamily, MetricType,
};

use crate::error::{Error, Result};
use crate::metric::MetricKind;
use crate::render::plan::write_labels;
use crate::render::plan::{ForeignFamily, Plan};
use crate::render::series::{self, Part, Scratch};
use crate::text::parse_pairs;

thread_local! {
    /// Set while this thread gathers the collectors other than the bridge.
    static GATHERING_FOREIGN: Cell<bool> = const { Cell::new(false) };
}

/// The collector that shows a kvstats registry to a `prometheus::Registry`.
struct Bridge {
    plan: Weak<RwLock<Plan>>,
}

impl Collector for Bridge {
    fn desc(&self) -> Vec<&Desc> {
        Vec::new()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        if GATHERING_FOREIGN.with(Cell::get) {
            return Vec::new();
        }
        match self.plan.upgrade() {
            Some(plan) => families(&plan.read().unwrap_or_else(|e| e.into_inner())),
            None => Vec::new(),
        }
    }
}

/// Registers the bridge of `plan` on `registry`.
pub(crate) fn attach(registry: &prometheus::Registry, plan: &Arc<RwLock<Plan>>) -> Result<()> {
    let bridge = Bridge {
        plan: Arc::downgrade(plan),
    };
    registry
        .register(Box::new(bridge))
        .map_err(|_| Error::PrometheusRegistryTaken)
}

/// Removes the bridge from `registry` (it is the one collector without
/// descriptors there, which is how the `prometheus` crate finds it).
pub(crate) fn detach(registry: &prometheus::Registry) {
    let bridge = Bridge { plan: Weak::new() };
    // Fails only if it is gone already.
    let _ = registry.unregister(Box::new(bridge));
}

/// A stand-in with the descriptors of a collector that was handed over, so
/// it can be unregistered (the `prometheus` crate finds collectors by them).
pub(crate) struct Unregister {
    descs: Vec<Desc>,
}

impl Unregister {
    pub(crate) fn of(collector: &dyn Collector) -> Self {
        Unregister {
            descs: collector.desc().into_iter().cloned().collect(),
        }
    }
}

impl Collector for Unregister {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        Vec::new()
    }
}

/// `registry.gather()` without the bridge's families.
pub(crate) fn foreign_families(registry: &prometheus::Registry) -> Vec<MetricFamily> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            GATHERING_FOREIGN.with(|flag| flag.set(false));
        }
    }
    GATHERING_FOREIGN.with(|flag| flag.set(true));
    let _reset = Reset;
    registry.gather()
}

/// The families a collector declares, by full name.
pub(crate) fn declared_families(collector: &dyn Collector) -> Vec<(Box<str>, ForeignFamily)> {
    let mut declared: Vec<(Box<str>, ForeignFamily)> = Vec::new();
    for desc in collector.desc() {
        let mut names: Vec<Box<str>> = desc
            .const_label_pairs
            .iter()
            .map(|pair| pair.name().into())
            .chain(desc.variable_labels.iter().map(|l| l.as_str().into()))
            .collect();
        names.sort();
        if declared.iter().any(|(name, _)| **name == *desc.fq_name) {
            continue;
        }
        declared.push((
            desc.fq_name.as_str().into(),
            ForeignFamily {
                help: desc.help.as_str().into(),
                label_names: names.into(),
                collectors: 1,
            },
        ));
    }
    declared
}

/// The `prometheus` crate's refusal of a collector, in kvstats' words.
pub(crate) fn registration_error(
    error: prometheus::Error,
    declared: &[(Box<str>, ForeignFamily)],
) -> Error {
    let names: Vec<&str> = declared.iter().map(|(name, _)| &**name).collect();
    match error {
        prometheus::Error::AlreadyReg => Error::CollectorRefused {
            metrics: names.join(", "),
            reason: "a collector with the same metric names and constant labels is already \
                     registered"
                .to_owned(),
        },
        other => Error::CollectorRefused {
            metrics: names.join(", "),
            reason: other.to_string(),
        },
    }
}

/// Every kvstats family with a series, as protobuf.
fn families(plan: &Plan) -> Vec<MetricFamily> {
    let mut out = Vec::new();
    let mut scratch = Scratch::default();
    for family in plan.families.values() {
        let mut metrics = Vec::new();
        let mut buckets: Vec<Bucket> = Vec::new();
        let mut sum = 0.0;
        series::for_each(plan, family, &[], &mut scratch, |s| {
            let mut labels = String::new();
            write_labels(&mut labels, s.labels, s.extras, s.key);
            let mut metric = Metric::default();
            match s.part {
                Part::Value => set_value(&mut metric, family.kind, s.value),
                Part::Bucket(Some(bound)) => {
                    let mut bucket = Bucket::default();
                    bucket.set_upper_bound(bound);
                    bucket.set_cumulative_count(s.value as u64);
                    buckets.push(bucket);
                    return;
                }
                // The encoder writes `+Inf` from the count.
                Part::Bucket(None) => return,
                Part::Sum => {
                    sum = s.value;
                    return;
                }
                Part::Count => {
                    let mut histogram = Histogram::default();
                    histogram.set_sample_count(s.value as u64);
                    histogram.set_sample_sum(sum);
                    histogram.set_bucket(std::mem::take(&mut buckets));
                    metric.set_histogram(histogram);
                }
            }
            metric.set_label(label_pairs(&labels));
            metrics.push(metric);
        });
        if metrics.is_empty() {
            continue;
        }
        let mut proto = MetricFamily::default();
        proto.set_name(family.name.to_string());
        proto.set_help(family.help.to_string());
        proto.set_field_type(match family.kind {
            MetricKind::Gauge => MetricType::GAUGE,
            MetricKind::Counter => MetricType::COUNTER,
            MetricKind::Histogram => MetricType::HISTOGRAM,
        });
        proto.set_metric(metrics);
        out.push(proto);
    }
    out
}

/// The label pairs of escaped `name="value",..` text.
fn label_pairs(labels: &str) -> Vec<LabelPair> {
    parse_pairs(labels)
        .into_iter()
        .map(|(name, value)| {
            let mut pair = LabelPair::default();
            pair.set_name(name);
            pair.set_value(value);
            pair
        })
        .collect()
}

fn set_value(metric: &mut Metric, kind: MetricKind, value: f64) {
    match kind {
        MetricKind::Counter => {
            let mut counter = Counter::default();
            counter.set_value(value);
            metric.set_counter(counter);
        }
        MetricKind::Gauge | MetricKind::Histogram => {
            let mut gauge = Gauge::default();
            gauge.set_value(value);
            metric.set_gauge(gauge);
        }
    }
}
