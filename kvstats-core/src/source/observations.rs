//! Field types that hold observations for a histogram
//! (`#[prom(histogram(..))]`): the values observed since the previous update.

use core::time::Duration;

/// One observed value: a number, or a `Duration` (observed in seconds).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be observed into a histogram",
    label = "unsupported observation type",
    note = "observations are numbers (f64, f32, integers) or Duration (in seconds); a histogram field holds one, an Option of one, or a Vec, array or slice of them"
)]
pub trait Observation: Copy {
    /// The value observed.
    fn observed(self) -> f64;
}

macro_rules! numeric_observation {
    ($($t:ty),*) => {$(
        impl Observation for $t {
            #[inline(always)]
            fn observed(self) -> f64 {
                self as f64
            }
        }
    )*};
}
numeric_observation!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64);

impl Observation for Duration {
    #[inline(always)]
    fn observed(self) -> f64 {
        self.as_secs_f64()
    }
}

/// A field type that holds the observations made since the previous update:
/// one (`f64`, `Duration`, ..), maybe one (`Option`), or several (`Vec`,
/// arrays, slices).
#[diagnostic::on_unimplemented(
    message = "`{Self}` holds no observations for a histogram",
    label = "unsupported type for `#[prom(histogram(..))]`",
    note = "supported: a number or Duration, and Option<T>, Vec<T>, [T; N] and &[T] of these: the observations made since the previous update"
)]
pub trait ObservationSource {
    /// Every observation, in order.
    fn observations(&self) -> impl Iterator<Item = f64> + '_;
}

macro_rules! single_observation {
    ($($t:ty),*) => {$(
        impl ObservationSource for $t {
            #[inline(always)]
            fn observations(&self) -> impl Iterator<Item = f64> + '_ {
                core::iter::once(self.observed())
            }
        }
    )*};
}
single_observation!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64, Duration);

impl<T: Observation> ObservationSource for Option<T> {
    #[inline(always)]
    fn observations(&self) -> impl Iterator<Item = f64> + '_ {
        self.iter().map(|value| value.observed())
    }
}

impl<T: Observation> ObservationSource for Vec<T> {
    #[inline]
    fn observations(&self) -> impl Iterator<Item = f64> + '_ {
        self.iter().map(|value| value.observed())
    }
}

impl<T: Observation, const N: usize> ObservationSource for [T; N] {
    #[inline]
    fn observations(&self) -> impl Iterator<Item = f64> + '_ {
        self.iter().map(|value| value.observed())
    }
}

impl<T: Observation> ObservationSource for &[T] {
    #[inline]
    fn observations(&self) -> impl Iterator<Item = f64> + '_ {
        self.iter().map(|value| value.observed())
    }
}
