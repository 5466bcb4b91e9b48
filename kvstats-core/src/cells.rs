//! The value cells generated containers are made of, and what a scrape
//! reads from them.
//!
//! A cell is one relaxed atomic word stored inline in the container, so an
//! `update_from` is a run of plain stores into one allocation: no lock, no
//! `Arc` per gauge, no hashing. The scrape reads the same words.

use core::fmt;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// A signalling NaN with a payload no float operation produces: the mark of
/// "no value", so an absent series costs no second word. Conversions from
/// integers and `f32` cannot produce it (an `f32` NaN widens to a quiet NaN
/// whose low 29 bits are zero), and arithmetic on it yields a quiet NaN, so
/// only an `f64` given as it is could carry it: [`unmark`] handles those.
const ABSENT: u64 = 0x7ff0_dead_0000_0001;

/// `value`, or a plain NaN if its bits are the absent mark.
#[inline(always)]
pub(crate) fn unmark(value: f64) -> f64 {
    if value.to_bits() == ABSENT {
        f64::NAN
    } else {
        value
    }
}

/// One gauge value: an `f64` that may also be absent (its series is then left
/// out of the scrape).
///
/// ```
/// use kvstats_core::Gauge;
///
/// let g = Gauge::new();
/// assert_eq!(g.get(), 0.0);
/// g.set(0.5);
/// assert_eq!(g.value(), Some(0.5));
/// g.clear();
/// assert_eq!(g.value(), None);
/// ```
#[repr(transparent)]
pub struct Gauge(AtomicU64);

impl Gauge {
    /// A gauge that reads 0.
    pub const fn new() -> Self {
        Gauge(AtomicU64::new(0))
    }

    /// A gauge with no value yet: its series is absent until the first [`set`](Self::set).
    pub const fn absent() -> Self {
        Gauge(AtomicU64::new(ABSENT))
    }

    /// Stores `value`. NaN stays NaN (and is exported as `NaN`).
    #[inline(always)]
    pub fn set(&self, value: f64) {
        self.set_unmarked(unmark(value));
    }

    /// Stores a value known not to carry the absent mark: one that came
    /// through a [`GaugeSource`](crate::GaugeSource) of this crate, so the hot
    /// path pays for no check it does not need.
    #[inline(always)]
    pub(crate) fn set_unmarked(&self, value: f64) {
        self.0.store(value.to_bits(), Relaxed);
    }

    /// Makes the series absent from the next scrape.
    #[inline]
    pub fn clear(&self) {
        self.0.store(ABSENT, Relaxed);
    }

    /// The current value, or `None` when the series is absent.
    #[inline]
    pub fn value(&self) -> Option<f64> {
        let bits = self.0.load(Relaxed);
        (bits != ABSENT).then(|| f64::from_bits(bits))
    }

    /// The current value; 0 when the series is absent.
    #[inline]
    pub fn get(&self) -> f64 {
        self.value().unwrap_or(0.0)
    }
}

impl Default for Gauge {
    fn default() -> Self {
        Gauge::new()
    }
}

impl fmt::Debug for Gauge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Some(v) => write!(f, "Gauge({v})"),
            None => f.write_str("Gauge(absent)"),
        }
    }
}

/// One gauge per position of a vector field (`#[prom(label = "position")]`):
/// position `i` is exported with the label `position="i"`.
///
/// At most `MAX` positions are kept; values past the cap are dropped and
/// counted in [`dropped`](Self::dropped), which the registry exports in its
/// own counter [`DROPPED_VALUES`](crate::own::DROPPED_VALUES).
///
/// ```
/// use kvstats_core::PositionGauges;
///
/// let g = PositionGauges::<2>::new();
/// g.set_all([3.0, 4.0, 5.0]);
/// assert_eq!(g.values(), vec![3.0, 4.0]);
/// assert_eq!(g.dropped(), 1);
/// g.clear();
/// assert!(g.values().is_empty());
/// ```
pub struct PositionGauges<const MAX: usize> {
    cells: [Gauge; MAX],
    len: AtomicUsize,
    dropped: AtomicU64,
}

impl<const MAX: usize> PositionGauges<MAX> {
    /// No positions.
    pub const fn new() -> Self {
        PositionGauges {
            cells: [const { Gauge::new() }; MAX],
            len: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    /// Replaces the positions with `values`; those past `MAX` are dropped and counted.
    #[inline]
    pub fn set_all(&self, values: impl IntoIterator<Item = f64>) {
        self.fill(values.into_iter().map(unmark));
    }

    /// [`set_all`](Self::set_all) for values known not to carry the absent
    /// mark (see [`Gauge::set_unmarked`]).
    #[inline]
    pub(crate) fn set_all_unmarked(&self, values: impl IntoIterator<Item = f64>) {
        self.fill(values);
    }

    #[inline(always)]
    fn fill(&self, values: impl IntoIterator<Item = f64>) {
        let mut values = values.into_iter();
        let mut len = 0;
        for (cell, value) in self.cells.iter().zip(&mut values) {
            cell.set_unmarked(value);
            len += 1;
        }
        let over = values.count() as u64;
        if over > 0 {
            self.dropped.fetch_add(over, Relaxed);
        }
        self.len.store(len, Relaxed);
    }

    /// Removes every position from the next scrape.
    #[inline]
    pub fn clear(&self) {
        self.len.store(0, Relaxed);
    }

    /// The current values, position 0 first.
    pub fn values(&self) -> Vec<f64> {
        self.view().cells.iter().map(Gauge::get).collect()
    }

    /// How many values were dropped because they were past the cap, ever.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }

    /// The cap.
    pub const fn max(&self) -> usize {
        MAX
    }

    pub(crate) fn view(&self) -> PositionsView<'_> {
        let len = self.len.load(Relaxed).min(MAX);
        PositionsView {
            cells: &self.cells[..len],
            dropped: self.dropped(),
        }
    }
}

impl<const MAX: usize> Default for PositionGauges<MAX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const MAX: usize> fmt::Debug for PositionGauges<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PositionGauges")
            .field("values", &self.values())
            .field("dropped", &self.dropped())
            .finish()
    }
}

/// The live positions of a [`PositionGauges`], as the scrape sees them.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct PositionsView<'a> {
    pub(crate) cells: &'a [Gauge],
    pub(crate) dropped: u64,
}

/// What a scrape reads for one metric of a container.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Reading<'a> {
    /// No metric at this index (never produced by generated code).
    Absent,
    Gauge(&'a Gauge),
    Positions(PositionsView<'a>),
}

impl<'a> From<&'a Gauge> for Reading<'a> {
    fn from(g: &'a Gauge) -> Self {
        Reading::Gauge(g)
    }
}

impl<'a, const MAX: usize> From<&'a PositionGauges<MAX>> for Reading<'a> {
    fn from(g: &'a PositionGauges<MAX>) -> Self {
        Reading::Positions(g.view())
    }
}
