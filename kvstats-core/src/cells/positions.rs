//! The cells of a per-position field (`#[prom(label = "position")]` on a
//! vector): one value per position, inline, up to a cap.

use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::counter::{add_to, refusal};
use super::{unmark, Drops, Gauge, Mode, ReadSeries, Reason, SeriesKey};
use crate::text::positions_in_text_order;

/// One value per position of a vector field: position `i` is exported with
/// the field's label set to `i`.
///
/// At most `MAX` positions are kept; values past the cap are dropped and
/// counted in the library's own counter `kvstats_values_dropped_total`
/// (`reason="over_max"`), so a bad producer cannot blow up the number of
/// series.
///
/// ```
/// use kvstats_core::PerPosition;
///
/// let g = PerPosition::<2>::new();
/// g.set_all([3.0, 4.0, 5.0]);
/// assert_eq!(g.values(), vec![3.0, 4.0]);
/// assert_eq!(g.dropped(), 1);
/// g.clear();
/// assert!(g.values().is_empty());
/// ```
pub struct PerPosition<const MAX: usize> {
    cells: [Gauge; MAX],
    len: AtomicUsize,
    drops: Drops,
}

impl<const MAX: usize> PerPosition<MAX> {
    /// No positions.
    pub const fn new() -> Self {
        PerPosition {
            cells: [const { Gauge::new() }; MAX],
            len: AtomicUsize::new(0),
            drops: Drops::new(),
        }
    }

    /// Replaces the positions with `values`; those past `MAX` are dropped and counted.
    #[inline]
    pub fn set_all(&self, values: impl IntoIterator<Item = f64>) {
        self.store(values.into_iter().map(unmark), Mode::Set);
    }

    /// Writes `values` (known not to carry the absent mark) as `mode` says:
    /// a gauge's positions are replaced; a counter's are set or added to,
    /// and positions once seen stay.
    #[inline]
    pub(crate) fn store(&self, values: impl IntoIterator<Item = f64>, mode: Mode) {
        let mut values = values.into_iter();
        let mut len = 0;
        for (cell, value) in self.cells.iter().zip(&mut values) {
            match (mode, refusal(value)) {
                (Mode::Set, _) | (Mode::Total, None) => cell.set_unmarked(value),
                (Mode::Delta, None) => add_to(&cell.0, value),
                // A counter holds no negative, infinite or NaN value.
                (Mode::Total | Mode::Delta, Some(reason)) => self.drops.count(reason, 1),
            }
            len += 1;
        }
        self.drops.count(Reason::OverMax, values.count() as u64);
        match mode {
            Mode::Set => self.len.store(len, Relaxed),
            Mode::Total | Mode::Delta => {
                self.len.fetch_max(len, Relaxed);
            }
        }
    }

    /// Removes every position from the next scrape.
    #[inline]
    pub fn clear(&self) {
        self.len.store(0, Relaxed);
    }

    /// The current values, position 0 first.
    pub fn values(&self) -> Vec<f64> {
        self.live().iter().map(Gauge::get).collect()
    }

    /// How many values were dropped because they were past the cap, ever.
    pub fn dropped(&self) -> u64 {
        self.drops.get(Reason::OverMax)
    }

    /// The cap.
    pub const fn max(&self) -> usize {
        MAX
    }

    fn live(&self) -> &[Gauge] {
        &self.cells[..self.len.load(Relaxed).min(MAX)]
    }
}

impl<const MAX: usize> ReadSeries for PerPosition<MAX> {
    fn for_each_series(&self, each: &mut dyn FnMut(SeriesKey<'_>, f64)) {
        let live = self.live();
        for position in positions_in_text_order(live.len()) {
            each(SeriesKey::Position(position), live[position].get());
        }
    }

    fn drops(&self) -> &Drops {
        &self.drops
    }
}

impl<const MAX: usize> Default for PerPosition<MAX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const MAX: usize> fmt::Debug for PerPosition<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PerPosition")
            .field("values", &self.values())
            .field("dropped", &self.dropped())
            .finish()
    }
}
