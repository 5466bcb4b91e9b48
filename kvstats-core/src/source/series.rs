//! Field types exported as one series per position or per key
//! (`#[prom(label = "..")]`): vectors, arrays and slices of values
//! (positions), maps and vectors of pairs (keys), and `Option` of any.
//!
//! The derive picks positions or keys from the field's type as written (a
//! map or a sequence of pairs holds keys); these traits then say which types
//! fit, so an unsupported one is one error at the field's type.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::hash::BuildHasher;

use super::GaugeSource;
use crate::cells::{Mode, PerKey, PerPosition};

/// A field type exported as one series per position: position `i` of the
/// vector has the field's label set to `i`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be exported as one series per position",
    label = "unsupported type for `#[prom(label = ..)]`",
    note = "per position: Vec<T>, [T; N] or &[T] (or an Option of one), with T a number, bool or Duration",
    note = "per key: a field written as HashMap<K, V>, BTreeMap<K, V>, Vec<(K, V)> or [(K, V); N] (or an Option of one), with K: Display; a type alias of one is not seen as a map"
)]
pub trait PositionSource {
    /// Writes the positions into `cells` as `mode` says, each value through `policy`.
    fn store_positions<const MAX: usize>(
        &self,
        cells: &PerPosition<MAX>,
        mode: Mode,
        policy: impl Fn(f64) -> f64,
    );
}

/// A field type exported as one series per key: each key, as its `Display`
/// writes it, is the value of the field's label.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be exported as one series per key",
    label = "unsupported type for a keyed `#[prom(label = ..)]`",
    note = "per key: HashMap<K, V>, BTreeMap<K, V>, Vec<(K, V)> or [(K, V); N] (or an Option of one), with K: Display and V a number, bool or Duration"
)]
pub trait KeySource {
    /// Writes the keys and values into `cells` as `mode` says, each value
    /// through `policy`.
    fn store_keys<const MAX: usize>(
        &self,
        cells: &PerKey<MAX>,
        mode: Mode,
        policy: impl Fn(f64) -> f64,
    );
}

fn store_values<T: GaugeSource, const MAX: usize>(
    items: &[T],
    cells: &PerPosition<MAX>,
    mode: Mode,
    policy: impl Fn(f64) -> f64,
) {
    let values = items
        .iter()
        .map(|item| policy(item.gauge_value().unwrap_or(f64::NAN)));
    cells.store(values, mode);
}

/// `PositionSource` for sequences of values, which all read as a slice.
macro_rules! positions_of_slices {
    ($([$($param:tt)*] $ty:ty;)*) => {$(
        impl<$($param)*> PositionSource for $ty {
            #[inline]
            fn store_positions<const MAX: usize>(
                &self,
                cells: &PerPosition<MAX>,
                mode: Mode,
                policy: impl Fn(f64) -> f64,
            ) {
                store_values(self, cells, mode, policy);
            }
        }
    )*};
}

positions_of_slices! {
    [T: GaugeSource] Vec<T>;
    [T: GaugeSource, const N: usize] [T; N];
    [T: GaugeSource] &[T];
}

/// `None` removes a gauge's positions and leaves a counter's as they are.
impl<P: PositionSource> PositionSource for Option<P> {
    #[inline]
    fn store_positions<const MAX: usize>(
        &self,
        cells: &PerPosition<MAX>,
        mode: Mode,
        policy: impl Fn(f64) -> f64,
    ) {
        match self {
            Some(inner) => inner.store_positions(cells, mode, policy),
            None if mode == Mode::Set => cells.clear(),
            None => {}
        }
    }
}

fn store_pairs<'a, K: Display + 'a, V: GaugeSource + 'a, const MAX: usize>(
    pairs: impl Iterator<Item = (&'a K, &'a V)>,
    cells: &PerKey<MAX>,
    mode: Mode,
    policy: impl Fn(f64) -> f64,
) {
    cells.store(pairs.map(|(k, v)| (k, v.gauge_value().map(&policy))), mode);
}

/// `KeySource` for maps and sequences of pairs: `$pairs` lists the
/// `(&key, &value)` pairs of `$this`.
macro_rules! keys_of {
    ($([$($param:tt)*] $ty:ty => |$this:ident| $pairs:expr;)*) => {$(
        impl<$($param)*> KeySource for $ty {
            #[inline]
            fn store_keys<const MAX: usize>(
                &self,
                cells: &PerKey<MAX>,
                mode: Mode,
                policy: impl Fn(f64) -> f64,
            ) {
                let $this = self;
                store_pairs($pairs, cells, mode, policy);
            }
        }
    )*};
}

keys_of! {
    [K: Display, V: GaugeSource, S: BuildHasher] HashMap<K, V, S> => |map| map.iter();
    [K: Display, V: GaugeSource] BTreeMap<K, V> => |map| map.iter();
    [K: Display, V: GaugeSource] Vec<(K, V)> => |pairs| pairs.iter().map(|(k, v)| (k, v));
    [K: Display, V: GaugeSource, const N: usize] [(K, V); N] =>
        |pairs| pairs.iter().map(|(k, v)| (k, v));
    [K: Display, V: GaugeSource] &[(K, V)] => |pairs| pairs.iter().map(|(k, v)| (k, v));
}

/// `None` removes a gauge's keys and leaves a counter's as they are.
impl<P: KeySource> KeySource for Option<P> {
    #[inline]
    fn store_keys<const MAX: usize>(
        &self,
        cells: &PerKey<MAX>,
        mode: Mode,
        policy: impl Fn(f64) -> f64,
    ) {
        match self {
            Some(inner) => inner.store_keys(cells, mode, policy),
            None if mode == Mode::Set => cells.clear(),
            None => {}
        }
    }
}
