//! The cell of a counter: a running total, set from a field that holds the
//! total (`#[prom(counter)]`) or fed the amounts of each update
//! (`#[prom(counter, delta)]`).

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::{unmark, Drops, Reason, ABSENT};

/// A counter value: a running total stored as an `f64` (integer totals stay
/// exact up to 2^53, since adding integers below that is exact), which may
/// also be absent.
///
/// [`add`](Self::add) and [`set`](Self::set) refuse negative, infinite and
/// NaN values (a counter only goes up, from 0) and count them instead, per
/// reason, in the library's own counter `kvstats_values_dropped_total`.
///
/// ```
/// use kvstats_core::Counter;
///
/// let c = Counter::new();
/// c.add(3.0);
/// c.add(2.0);
/// assert_eq!(c.get(), 5.0);
/// assert!(!c.add(-1.0));
/// assert_eq!(c.get(), 5.0);
/// c.set(1.0); // a smaller total is a reset, which Prometheus handles
/// assert_eq!(c.value(), Some(1.0));
/// ```
pub struct Counter {
    value: AtomicU64,
    drops: Drops,
}

impl Counter {
    /// A counter at 0.
    pub const fn new() -> Self {
        Counter {
            value: AtomicU64::new(0),
            drops: Drops::new(),
        }
    }

    /// A counter with no value yet: its series is absent until the first
    /// [`set`](Self::set) or [`add`](Self::add).
    pub const fn absent() -> Self {
        Counter {
            value: AtomicU64::new(ABSENT),
            drops: Drops::new(),
        }
    }

    /// Stores a running total as it is (a smaller one than before is a
    /// reset, which Prometheus handles); returns `false` (and counts it) if
    /// it is negative, infinite or NaN, which no counter can be.
    #[inline(always)]
    pub fn set(&self, total: f64) -> bool {
        self.set_unmarked(unmark(total))
    }

    /// [`set`](Self::set) for a value known not to carry the absent mark.
    #[inline(always)]
    pub(crate) fn set_unmarked(&self, total: f64) -> bool {
        if let Some(reason) = refusal(total) {
            self.drops.count(reason, 1);
            return false;
        }
        self.value.store(total.to_bits(), Relaxed);
        true
    }

    /// Adds `amount`; returns `false` (and counts it) if it is negative,
    /// infinite or NaN. An absent counter starts from 0.
    #[inline]
    pub fn add(&self, amount: f64) -> bool {
        if let Some(reason) = refusal(amount) {
            self.drops.count(reason, 1);
            return false;
        }
        add_to(&self.value, amount);
        true
    }

    /// Makes the series absent from the next scrape.
    #[inline]
    pub fn clear(&self) {
        self.value.store(ABSENT, Relaxed);
    }

    /// The current total, or `None` when the series is absent.
    #[inline]
    pub fn value(&self) -> Option<f64> {
        let bits = self.value.load(Relaxed);
        (bits != ABSENT).then(|| f64::from_bits(bits))
    }

    /// The current total; 0 when the series is absent.
    #[inline]
    pub fn get(&self) -> f64 {
        self.value().unwrap_or(0.0)
    }

    /// How many amounts were refused, for `reason`.
    pub fn refused(&self, reason: Reason) -> u64 {
        self.drops.get(reason)
    }

    pub(crate) fn drops(&self) -> &Drops {
        &self.drops
    }
}

/// Why a counter refuses `amount`, if it does.
#[inline(always)]
pub(crate) fn refusal(amount: f64) -> Option<Reason> {
    if !amount.is_finite() {
        Some(Reason::NotFinite)
    } else if amount < 0.0 {
        Some(Reason::Negative)
    } else {
        None
    }
}

/// Adds `amount` to the `f64` (or absent mark) in `cell`; safe when several
/// threads add at once.
#[inline(always)]
pub(crate) fn add_to(cell: &AtomicU64, amount: f64) {
    let mut bits = cell.load(Relaxed);
    loop {
        let current = if bits == ABSENT {
            0.0
        } else {
            f64::from_bits(bits)
        };
        let next = (current + amount).to_bits();
        match cell.compare_exchange_weak(bits, next, Relaxed, Relaxed) {
            Ok(_) => return,
            Err(seen) => bits = seen,
        }
    }
}

impl Default for Counter {
    fn default() -> Self {
        Counter::new()
    }
}

impl fmt::Debug for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value() {
            Some(v) => write!(f, "Counter({v})"),
            None => f.write_str("Counter(absent)"),
        }
    }
}
