//! What generated code calls. Not public API: it may change in any release.

pub use crate::gauge::Reading;
pub use crate::source::{GaugeSource, PositionSource};
pub use core;
pub use std;

use crate::gauge::{Gauge, PositionGauges};
use crate::metric::{GaugeGroup, MetricDef};
use crate::registered::Registered;
use crate::registry::MetricsRegistry;

// Generated constants call the rule directly (rather than through a helper
// that panics) so a bad name is reported at the attribute, with no note
// pointing into this file.
pub use crate::names::check_name;

/// How one scalar field is read. Generated code builds it once per field, in a
/// constant spanned to the field's type, so an unsupported type is one error
/// there; every other use goes through this value, which carries no bound.
pub struct Scalar<S: ?Sized> {
    present_at_start: bool,
    value: fn(&S) -> Option<f64>,
}

/// The reader of a field of type `S`.
pub const fn scalar<S: GaugeSource + ?Sized>() -> Scalar<S> {
    Scalar {
        present_at_start: S::PRESENT_AT_START,
        value: S::gauge_value,
    }
}

/// A reader for the stub of a field whose attributes were rejected (the build
/// fails anyway): it carries no bound, so the field's type, which may not be
/// what the user meant to export, raises no second error.
pub const fn unchecked<S: ?Sized>() -> Scalar<S> {
    fn nothing<S: ?Sized>(_: &S) -> Option<f64> {
        None
    }
    Scalar {
        present_at_start: true,
        value: nothing::<S>,
    }
}

impl<S: ?Sized> Scalar<S> {
    /// A gauge's initial state: 0, or absent for `Option` fields.
    pub const fn initial(&self) -> Gauge {
        if self.present_at_start {
            Gauge::new()
        } else {
            Gauge::absent()
        }
    }

    /// Stores one field. `scale` and `clamp` cannot turn a value into the
    /// absent mark (see `gauge::ABSENT`), so the store needs no check.
    #[inline(always)]
    pub fn store(&self, gauge: &Gauge, source: &S, policy: impl Fn(f64) -> f64) {
        match (self.value)(source) {
            Some(v) => gauge.set_unmarked(policy(v)),
            None => gauge.clear(),
        }
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
        Some(items) => gauges.set_all_unmarked(
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
