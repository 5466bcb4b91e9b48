//! What generated code calls, and nothing else. Not public API: it may
//! change in any release.

pub use crate::cells::Reading;
pub use core;

use crate::cells::{Counter, Gauge, Histogram, PerKey, PerPosition};
use crate::metric::MetricDef;
use crate::source::{GaugeSource, KeySource, ObservationSource, PositionSource};

pub use crate::cells::Mode;
pub use crate::fleet::{default_aggregations, Aggregation, AlertDef, Condition, RatioOf};
pub use crate::metric::MetricKind;

/// The fields of a [`MetricDef`] by name, for generated code (which cannot
/// build the `#[non_exhaustive]` struct itself).
pub struct MetricParts {
    pub name: &'static str,
    pub constant: &'static str,
    pub struct_name: &'static str,
    pub field: &'static str,
    pub help: &'static str,
    pub unit: Option<&'static str>,
    pub kind: MetricKind,
    pub labels: &'static [&'static str],
    pub buckets: &'static [f64],
    pub delta: bool,
    pub replaced_by: Option<&'static str>,
    pub aggregate: &'static [crate::fleet::Aggregation],
    pub ratio_of: Option<crate::fleet::RatioOf>,
    pub alerts: &'static [crate::fleet::AlertDef],
}

impl MetricParts {
    /// The definition these parts describe.
    pub const fn def(self) -> MetricDef {
        MetricDef {
            name: self.name,
            struct_name: self.struct_name,
            constant: self.constant,
            field: self.field,
            help: self.help,
            unit: self.unit,
            kind: self.kind,
            labels: self.labels,
            buckets: self.buckets,
            delta: self.delta,
            replaced_by: self.replaced_by,
            aggregate: self.aggregate,
            ratio_of: self.ratio_of,
            alerts: self.alerts,
        }
    }
}

/// How one scalar field is read. Generated code builds it once per field, in a
/// constant spanned to the field's type, so an unsupported type is one error
/// there; every other use goes through this value, which carries no bound.
pub struct Scalar<S: ?Sized> {
    present_at_start: bool,
    value: fn(&S) -> Option<f64>,
    add: fn(&S, &Counter),
}

/// The reader of a field of type `S`.
pub const fn scalar<S: GaugeSource + ?Sized>() -> Scalar<S> {
    Scalar {
        present_at_start: S::PRESENT_AT_START,
        value: S::gauge_value,
        add: S::add_to_counter,
    }
}

/// A reader for the stub of a field whose attributes were rejected (the build
/// fails anyway): it carries no bound, so the field's type, which may not be
/// what the user meant to export, raises no second error.
pub const fn unchecked<S: ?Sized>() -> Scalar<S> {
    fn nothing<S: ?Sized>(_: &S) -> Option<f64> {
        None
    }
    fn add_nothing<S: ?Sized>(_: &S, _: &Counter) {}
    Scalar {
        present_at_start: true,
        value: nothing::<S>,
        add: add_nothing::<S>,
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

    /// A counter of running totals starts like a gauge: 0, or absent for
    /// `Option` fields; one fed deltas starts at 0.
    pub const fn initial_counter(&self, delta: bool) -> Counter {
        if self.present_at_start || delta {
            Counter::new()
        } else {
            Counter::absent()
        }
    }

    /// Stores a gauge. `scale` and `clamp` cannot turn a value into the
    /// absent mark (see `cells::ABSENT`), so the store needs no check.
    #[inline(always)]
    pub fn store(&self, gauge: &Gauge, source: &S, policy: impl Fn(f64) -> f64) {
        match (self.value)(source) {
            Some(v) => gauge.set_unmarked(policy(v)),
            None => gauge.clear(),
        }
    }

    /// Stores a counter's running total; `None` changes nothing.
    #[inline(always)]
    pub fn store_total(&self, counter: &Counter, source: &S, policy: impl Fn(f64) -> f64) {
        if let Some(v) = (self.value)(source) {
            counter.set_unmarked(policy(v));
        }
    }

    /// Adds a counter's amount; `None` adds nothing.
    #[inline(always)]
    pub fn add_delta(&self, counter: &Counter, source: &S, policy: impl Fn(f64) -> f64) {
        if let Some(v) = (self.value)(source) {
            counter.add(policy(v));
        }
    }

    /// Adds a counter's amount as the field holds it (no `scale` or
    /// `clamp`): an unsigned integer is added whole.
    #[inline(always)]
    pub fn add_exact(&self, counter: &Counter, source: &S) {
        (self.add)(source, counter);
    }
}

/// Stores one per-position field.
#[inline(always)]
pub fn store_positions<S: PositionSource + ?Sized, const MAX: usize>(
    cells: &PerPosition<MAX>,
    source: &S,
    mode: Mode,
    policy: impl Fn(f64) -> f64,
) {
    source.store_positions(cells, mode, policy);
}

/// Stores one keyed field.
#[inline(always)]
pub fn store_keys<S: KeySource + ?Sized, const MAX: usize>(
    cells: &PerKey<MAX>,
    source: &S,
    mode: Mode,
    policy: impl Fn(f64) -> f64,
) {
    source.store_keys(cells, mode, policy);
}

/// Observes a histogram field's observations into buckets of `bounds`.
#[inline(always)]
pub fn observe<S: ObservationSource + ?Sized, const N: usize>(
    histogram: &Histogram<N>,
    source: &S,
    bounds: &[f64],
    policy: impl Fn(f64) -> f64,
) {
    histogram.observe(bounds, source.observations().map(policy));
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

/// `METRICS` of a struct: its own entries and its nested structs' slices, in
/// field order. `N` is the sum of the lengths.
pub const fn concat_metrics<const N: usize>(parts: &[&[MetricDef]]) -> [MetricDef; N] {
    let mut out = [MetricDef::BLANK; N];
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

/// The first name two entries of `metrics` share, as can happen when nested
/// structs are combined, as a message that names both sources. Generated
/// constants panic with it themselves, so the error is at the user's field.
pub const fn duplicate_name(metrics: &[MetricDef]) -> Option<ConstMessage> {
    let mut i = 0;
    while i < metrics.len() {
        let mut j = 0;
        while j < i {
            if crate::text::str_eq(metrics[i].name, metrics[j].name) {
                let mut message = ConstMessage::new();
                message.push("metric name `");
                message.push(metrics[i].name);
                message.push("` is exported by both `");
                message.push(metrics[j].struct_name);
                message.push(".");
                message.push(metrics[j].field);
                message.push("` and `");
                message.push(metrics[i].struct_name);
                message.push(".");
                message.push(metrics[i].field);
                message.push("`; give one of them another `name` or `prefix`");
                return Some(message);
            }
            j += 1;
        }
        i += 1;
    }
    None
}

/// The error for a struct whose constants module, `module`, resolves to the
/// one another struct's derive generated in the same scope: `found` is that
/// module's struct (its `__STRUCT`), `this` the struct asking. `None` when
/// the module is `this` struct's own. Generated constants panic with it
/// themselves, so the error is at the attribute that named the module.
pub const fn module_taken(module: &str, found: &str, this: &str) -> Option<ConstMessage> {
    if crate::text::str_eq(found, this) {
        return None;
    }
    let mut message = ConstMessage::new();
    message.push("the constants module `");
    message.push(module);
    message.push("` is generated for both `");
    message.push(found);
    message.push("` and `");
    message.push(this);
    message
        .push("` in this scope; give one of them a module of its own: `#[prom(module = \"..\")]`");
    Some(message)
}

/// A message assembled during constant evaluation, where `format!` is not
/// available; text past its capacity is cut at a character boundary.
pub struct ConstMessage {
    bytes: [u8; 512],
    len: usize,
}

impl ConstMessage {
    const fn new() -> Self {
        ConstMessage {
            bytes: [0; 512],
            len: 0,
        }
    }

    const fn push(&mut self, text: &str) {
        let text = text.as_bytes();
        let mut i = 0;
        while i < text.len() && self.len < self.bytes.len() {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
    }

    /// The text pushed so far.
    pub const fn as_str(&self) -> &str {
        let mut len = self.len;
        loop {
            match core::str::from_utf8(self.bytes.split_at(len).0) {
                Ok(text) => return text,
                // Only a character cut at the capacity can fail; drop its bytes.
                Err(_) => len -= 1,
            }
        }
    }
}
