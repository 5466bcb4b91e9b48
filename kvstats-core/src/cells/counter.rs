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
    /// Whole amounts added by an unsigned integer field fed deltas: a plain
    /// `fetch_add`, as cheap as an integer counter's, where adding to the
    /// `f64` takes a compare-and-swap loop. The total is the sum of both.
    whole: AtomicU64,
    drops: Drops,
}

impl Counter {
    /// A counter at 0.
    pub const fn new() -> Self {
        Counter {
            value: AtomicU64::new(0),
            whole: AtomicU64::new(0),
            drops: Drops::new(),
        }
    }

    /// A counter with no value yet: its series is absent until the first
    /// [`set`](Self::set) or [`add`](Self::add).
    pub const fn absent() -> Self {
        Counter {
            value: AtomicU64::new(ABSENT),
            whole: AtomicU64::new(0),
            drops: Drops::new(),
        }
    }

    /// Stores a running total as it is (a smaller one than before is a
    /// reset, which Prometheus handles); returns `false` (and counts it) if
    /// it is negative, infinite or NaN, which no counter can be. An amount
    /// [`add`](Self::add)ed by another thread at the same moment may be lost:
    /// a counter is fed totals or amounts, not both.
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
        // Only a counter fed whole amounts has any: a total's update stays
        // one store.
        if self.whole.load(Relaxed) != 0 {
            self.whole.store(0, Relaxed);
        }
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

    /// Adds a whole amount, which no counter refuses.
    #[inline(always)]
    pub(crate) fn add_whole(&self, amount: u64) {
        self.whole.fetch_add(amount, Relaxed);
    }

    /// Makes the series absent from the next scrape.
    #[inline]
    pub fn clear(&self) {
        self.value.store(ABSENT, Relaxed);
        self.whole.store(0, Relaxed);
    }

    /// The current total, or `None` when the series is absent.
    #[inline]
    pub fn value(&self) -> Option<f64> {
        let (bits, whole) = (self.value.load(Relaxed), self.whole.load(Relaxed));
        match (bits, whole) {
            (ABSENT, 0) => None,
            (ABSENT, whole) => Some(whole as f64),
            (bits, whole) => Some(f64::from_bits(bits) + whole as f64),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_amounts_add_up() {
        let c = Counter::new();
        c.add_whole(3);
        c.add(0.5);
        c.add_whole(u64::from(u32::MAX));
        assert_eq!(c.value(), Some(3.5 + f64::from(u32::MAX)));
    }

    #[test]
    fn an_absent_counter_appears_with_its_first_whole_amount() {
        let c = Counter::absent();
        assert_eq!(c.value(), None);
        c.add_whole(0);
        assert_eq!(c.value(), None, "0 added is nothing to show yet");
        c.add_whole(2);
        assert_eq!(c.value(), Some(2.0));
    }

    #[test]
    fn set_and_clear_replace_whole_amounts_too() {
        let c = Counter::new();
        c.add_whole(7);
        c.set(1.0);
        assert_eq!(c.value(), Some(1.0));
        c.add_whole(7);
        c.clear();
        assert_eq!(c.value(), None);
    }

    #[test]
    fn whole_amounts_from_threads_all_count() {
        let c = Counter::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..10_000).for_each(|_| c.add_whole(1)));
            }
        });
        assert_eq!(c.get(), 40_000.0);
    }
}
