//! The value cells generated containers are made of, and what a scrape
//! reads from them.
//!
//! A gauge or counter is one relaxed atomic word stored inline in the
//! container, so an `update_from` is a run of plain stores and adds into one
//! allocation: no lock, no `Arc` per value, no hashing. Per-position values
//! and histogram buckets are inline too; only keyed series (whose keys are
//! only known at run time) live behind a short lock. The scrape reads the
//! same cells.

mod counter;
mod drops;
mod histogram;
mod keyed;
mod positions;

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

pub use counter::Counter;
pub use drops::{Drops, Reason};
pub use histogram::{Histogram, HistogramSnapshot};
pub use keyed::PerKey;
pub use positions::PerPosition;

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

/// How an update writes a per-series field.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A gauge: the update replaces the values (and the set of series).
    Set,
    /// A counter holding running totals: the update sets each value, and a
    /// series once seen stays.
    Total,
    /// A counter fed amounts since the last update: each is added, if it is
    /// neither negative nor infinite nor NaN.
    Delta,
}

/// The label value of one series of a per-series field.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum SeriesKey<'a> {
    /// A per-position field's position.
    Position(usize),
    /// A keyed field's key, as its `Display` wrote it (not escaped).
    Key(&'a str),
}

/// The series of a per-series field, as the scrape reads them.
#[doc(hidden)]
pub trait ReadSeries: Send + Sync {
    /// Calls `each` for every series, in the order of their label values
    /// compared as strings (`gather()`'s order).
    fn for_each_series(&self, each: &mut dyn FnMut(SeriesKey<'_>, f64));
    /// What was not exported, by reason.
    fn drops(&self) -> &Drops;
}

/// What a scrape reads for one metric of a container.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Reading<'a> {
    /// No metric at this index (never produced by generated code).
    Absent,
    Gauge(&'a Gauge),
    Counter(&'a Counter),
    Series(&'a dyn ReadSeries),
    Histogram(&'a dyn HistogramSnapshot),
}

impl<'a> From<&'a Gauge> for Reading<'a> {
    fn from(g: &'a Gauge) -> Self {
        Reading::Gauge(g)
    }
}

impl<'a> From<&'a Counter> for Reading<'a> {
    fn from(c: &'a Counter) -> Self {
        Reading::Counter(c)
    }
}

impl<'a, const MAX: usize> From<&'a PerPosition<MAX>> for Reading<'a> {
    fn from(p: &'a PerPosition<MAX>) -> Self {
        Reading::Series(p)
    }
}

impl<'a, const MAX: usize> From<&'a PerKey<MAX>> for Reading<'a> {
    fn from(k: &'a PerKey<MAX>) -> Self {
        Reading::Series(k)
    }
}

impl<'a, const N: usize> From<&'a Histogram<N>> for Reading<'a> {
    fn from(h: &'a Histogram<N>) -> Self {
        Reading::Histogram(h)
    }
}

impl<'a> Reading<'a> {
    /// What the metric did not export, by reason, if it can drop anything.
    pub(crate) fn drops(&self) -> Option<&'a Drops> {
        match *self {
            Reading::Counter(c) => Some(c.drops()),
            Reading::Series(s) => Some(s.drops()),
            Reading::Histogram(h) => Some(h.drops()),
            Reading::Absent | Reading::Gauge(_) => None,
        }
    }
}
