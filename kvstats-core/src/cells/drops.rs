//! What a cell did not export, counted by reason, for the library's own
//! counter `kvstats_values_dropped_total{metric, reason}`.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Why a value was not exported.
///
/// ```
/// use kvstats_core::Reason;
///
/// assert_eq!(Reason::OverMax.as_str(), "over_max");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// A per-position value past the field's `max`, or a key past the
    /// field's `max` keys.
    OverMax,
    /// A negative amount handed to a counter (`counter, delta`).
    Negative,
    /// A NaN or infinite amount or observation.
    NotFinite,
    /// A family of a `prometheus` collector that clashes with a kvstats
    /// family of the same name, left out of a scrape.
    ForeignConflict,
}

impl Reason {
    /// The value of the `reason` label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::OverMax => "over_max",
            Reason::Negative => "negative",
            Reason::NotFinite => "not_finite",
            Reason::ForeignConflict => "foreign_conflict",
        }
    }
}

/// Counts of values not exported, one per reason a cell can drop for.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Drops {
    over_max: AtomicU64,
    negative: AtomicU64,
    not_finite: AtomicU64,
}

impl Drops {
    /// No drop yet.
    pub const fn new() -> Self {
        Drops {
            over_max: AtomicU64::new(0),
            negative: AtomicU64::new(0),
            not_finite: AtomicU64::new(0),
        }
    }

    /// Counts `n` values dropped for `reason`.
    #[inline]
    pub(crate) fn count(&self, reason: Reason, n: u64) {
        if n > 0 {
            if let Some(counter) = self.counter(reason) {
                counter.fetch_add(n, Relaxed);
            }
        }
    }

    /// How many values were dropped for `reason`, ever.
    pub fn get(&self, reason: Reason) -> u64 {
        self.counter(reason).map_or(0, |c| c.load(Relaxed))
    }

    fn counter(&self, reason: Reason) -> Option<&AtomicU64> {
        match reason {
            Reason::OverMax => Some(&self.over_max),
            Reason::Negative => Some(&self.negative),
            Reason::NotFinite => Some(&self.not_finite),
            Reason::ForeignConflict => None,
        }
    }
}
