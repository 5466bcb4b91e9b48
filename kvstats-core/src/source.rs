//! How field values become gauge values.
//!
//! The derive does not look at field types; it calls these traits, so type
//! aliases work and an unsupported type is reported by the compiler at the
//! field's type with the list of what is supported.

/// A field type that can be exported as one gauge.
///
/// Implemented for `u8`..`u64`, `usize`, `i8`..`i64`, `isize`, `f32`, `f64`,
/// `bool` (0 or 1) and `Option` of any of them (`None` removes the series).
///
/// Integers are converted with `as f64`: exact up to 2^53, rounded to the
/// nearest `f64` above (so `u64::MAX` is exported as `18446744073709552000`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be exported as a Prometheus gauge",
    label = "unsupported field type",
    note = "supported field types: u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64, bool, and Option<T> of these",
    note = "a struct that derives `PromGauges` is nested with `#[prom(flatten)]`; a vector is exported per position with `#[prom(label = \"position\")]`; other fields are left out with `#[prom(skip)]`"
)]
pub trait GaugeSource {
    /// Whether the series exists before the first update (`false` for `Option`).
    const PRESENT_AT_START: bool;
    /// The value to export, `None` for no series.
    fn gauge_value(&self) -> Option<f64>;
}

macro_rules! numeric_source {
    ($($t:ty),*) => {$(
        impl GaugeSource for $t {
            const PRESENT_AT_START: bool = true;
            #[inline(always)]
            fn gauge_value(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
numeric_source!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32);

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

impl<T: GaugeSource> GaugeSource for Option<T> {
    const PRESENT_AT_START: bool = false;
    #[inline(always)]
    fn gauge_value(&self) -> Option<f64> {
        self.as_ref().and_then(T::gauge_value)
    }
}

/// A field type that can be exported as one gauge per position
/// (`#[prom(label = "position")]`).
///
/// Implemented for `Vec<T>`, `[T; N]` and `Option` of these, where `T` is a
/// plain numeric or `bool` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be exported per position",
    label = "unsupported type for `#[prom(label = ..)]`",
    note = "supported: Vec<T>, [T; N], Option<Vec<T>> and Option<[T; N]>, with T one of u8..u64, usize, i8..i64, isize, f32, f64, bool"
)]
pub trait PositionSource {
    /// The element type.
    type Item: GaugeSource;
    /// The values, position 0 first; `None` for no series at all.
    fn positions(&self) -> Option<&[Self::Item]>;
}

impl<T: GaugeSource> PositionSource for Vec<T> {
    type Item = T;
    #[inline(always)]
    fn positions(&self) -> Option<&[T]> {
        Some(self)
    }
}

impl<T: GaugeSource, const N: usize> PositionSource for [T; N] {
    type Item = T;
    #[inline(always)]
    fn positions(&self) -> Option<&[T]> {
        Some(self)
    }
}

impl<P: PositionSource> PositionSource for Option<P> {
    type Item = P::Item;
    #[inline(always)]
    fn positions(&self) -> Option<&[P::Item]> {
        self.as_ref().and_then(P::positions)
    }
}
