//! How field values become exported values: one value (a gauge or a
//! counter), one series per position or key, or observations for a histogram.
//!
//! The derive does not look at field types; it calls these traits, so type
//! aliases work and an unsupported type is reported by the compiler at the
//! field's type with the list of what is supported.

mod observations;
mod series;

pub use observations::{Observation, ObservationSource};
pub use series::{KeySource, PositionSource};

use crate::cells::Counter;

/// A field type that can be exported as one gauge.
///
/// Implemented for `u8`..`u64`, `usize`, `i8`..`i64`, `isize`, `f32`, `f64`,
/// `bool` (0 or 1), `Duration` (in seconds) and `Option` of any of them
/// (`None` removes a gauge's series, and adds nothing to a counter).
///
/// Integers are converted with `as f64`: exact up to 2^53, rounded to the
/// nearest `f64` above (so `u64::MAX` is exported as `18446744073709552000`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be exported as the value of a gauge or counter",
    label = "unsupported type",
    note = "a value is one of: u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64, bool, Duration, or Option<T> of these; the positions and keys of a per-series field hold such values",
    note = "a struct that derives `PromGauges` is nested with `#[prom(flatten)]`; a vector or map is exported per position or key with `#[prom(label = \"..\")]`; observations go in a `#[prom(histogram(..))]`; other fields are left out with `#[prom(skip)]`"
)]
pub trait GaugeSource {
    /// Whether the series exists before the first update (`false` for `Option`).
    const PRESENT_AT_START: bool;
    /// The value to export, `None` for no series.
    fn gauge_value(&self) -> Option<f64>;

    /// Adds the value to a counter fed deltas (`#[prom(counter, delta)]`
    /// without `scale` or `clamp`). Unsigned integers add it whole, as cheap
    /// as an integer counter; the rest go through [`Counter::add`].
    #[doc(hidden)]
    #[inline(always)]
    fn add_to_counter(&self, counter: &Counter) {
        if let Some(v) = self.gauge_value() {
            counter.add(v);
        }
    }
}

/// How a number type adds to a counter: `whole` (unsigned integers, added
/// with one `fetch_add`; no unsigned type here is wider than 64 bits, so
/// the cast is lossless) or through the `f64` (the default method).
macro_rules! add_to_counter {
    (whole) => {
        #[inline(always)]
        fn add_to_counter(&self, counter: &Counter) {
            counter.add_whole(*self as u64);
        }
    };
    (float) => {};
}

macro_rules! numeric_source {
    ($adds:ident: $($t:ty),*) => {$(
        impl GaugeSource for $t {
            const PRESENT_AT_START: bool = true;
            #[inline(always)]
            fn gauge_value(&self) -> Option<f64> {
                Some(*self as f64)
            }
            add_to_counter!($adds);
        }
    )*};
}
numeric_source!(whole: u8, u16, u32, u64, usize);
numeric_source!(float: i8, i16, i32, i64, isize, f32);

impl GaugeSource for f64 {
    const PRESENT_AT_START: bool = true;
    #[inline(always)]
    fn gauge_value(&self) -> Option<f64> {
        // The only source whose bits could be the gauge's absent mark.
        Some(crate::cells::unmark(*self))
    }
}

impl GaugeSource for bool {
    const PRESENT_AT_START: bool = true;
    #[inline(always)]
    fn gauge_value(&self) -> Option<f64> {
        Some(if *self { 1.0 } else { 0.0 })
    }
}

impl GaugeSource for core::time::Duration {
    const PRESENT_AT_START: bool = true;
    #[inline(always)]
    fn gauge_value(&self) -> Option<f64> {
        Some(self.as_secs_f64())
    }
}

impl<T: GaugeSource> GaugeSource for Option<T> {
    const PRESENT_AT_START: bool = false;
    #[inline(always)]
    fn gauge_value(&self) -> Option<f64> {
        self.as_ref().and_then(T::gauge_value)
    }
    #[inline(always)]
    fn add_to_counter(&self, counter: &Counter) {
        if let Some(v) = self {
            v.add_to_counter(counter);
        }
    }
}
