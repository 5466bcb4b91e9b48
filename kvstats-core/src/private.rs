//! What generated code calls. Not public API: it may change in any release.

pub use crate::gauge::Reading;
pub use crate::source::{GaugeSource, PositionSource};
pub use core;
pub use std;

use crate::gauge::{Gauge, PositionGauges};
use crate::metric::{GaugeGroup, MetricDef};
use crate::names::check_name;
use crate::registered::Registered;
use crate::registry::MetricsRegistry;

/// Fails compilation, at the attribute the name came from, when `name` breaks
/// the naming rule the registry applies at run time.
pub const fn assert_name(name: &str) {
    if let Err(e) = check_name(name) {
        panic!("{}", e.message())
    }
}

/// A gauge's initial state for a field of type `S`.
pub const fn initial_gauge<S: GaugeSource + ?Sized>() -> Gauge {
    if S::PRESENT_AT_START {
        Gauge::new()
    } else {
        Gauge::absent()
    }
}

/// Stores one field.
#[inline(always)]
pub fn store<S: GaugeSource + ?Sized>(gauge: &Gauge, source: &S, policy: impl Fn(f64) -> f64) {
    match source.gauge_value() {
        Some(v) => gauge.set(policy(v)),
        None => gauge.clear(),
    }
}

/// Stores one per-position field.
#[inline(always)]
pub fn store_positions<S: PositionSource + ?Sized, const MAX: usize>(
    gauges: &PositionGauges<MAX>,
    source: &S,
    policy: impl Fn(f64) -> f64,
) {
    match source.positions() {
        Some(items) => gauges.set_all(
            items
                .iter()
                .map(|item| policy(item.gauge_value().unwrap_or(f64::NAN))),
        ),
        None => gauges.clear(),
    }
}

/// The identity value policy.
#[inline(always)]
pub fn identity(v: f64) -> f64 {
    v
}

/// `clamp(lo, hi)`: bounds `v`; NaN becomes `lo`.
#[inline(always)]
pub fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    if v.is_nan() {
        lo
    } else {
        v.clamp(lo, hi)
    }
}

/// Registers a fresh `G` on `registry` with extra constant labels.
pub fn register<G: GaugeGroup>(
    registry: &(impl MetricsRegistry + ?Sized),
    labels: &[(&str, &str)],
) -> crate::Result<Registered<G>> {
    crate::registry::register::<G>(registry, labels)
}

/// `METRICS` of a struct: its own entries and its nested structs' slices, in
/// field order. `N` is the sum of the lengths.
pub const fn concat_metrics<const N: usize>(parts: &[&[MetricDef]]) -> [MetricDef; N] {
    let mut out = [MetricDef::__new("", "", "", "", None, None); N];
    let mut at = 0;
    let mut part = 0;
    while part < parts.len() {
        let mut i = 0;
        while i < parts[part].len() {
            out[at] = parts[part][i];
            at += 1;
            i += 1;
        }
        part += 1;
    }
    out
}
