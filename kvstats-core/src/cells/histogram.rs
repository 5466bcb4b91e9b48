//! The cells of a histogram (`#[prom(histogram(..))]`): a count per bucket
//! and the sum of the observations, inline, written under a sequence lock so
//! a scrape always reads a consistent state.

use core::fmt;
use core::sync::atomic::{fence, AtomicU64, Ordering};

use super::{Drops, Reason};

/// The buckets, sum and count of one histogram: `N` counts, one per upper
/// bound and one for `+Inf`. The bounds themselves are the metric's
/// (`MetricDef::buckets`) and are passed to [`observe`](Self::observe).
///
/// A scrape reads a consistent state even while other threads observe: the
/// buckets it shows are cumulative and `+Inf` equals `_count`. NaN and
/// infinite observations are not observed; they are counted in
/// `kvstats_values_dropped_total` (`reason="not_finite"`).
///
/// ```
/// use kvstats_core::Histogram;
///
/// let bounds = [0.1, 1.0];
/// let h = Histogram::<3>::new();
/// h.observe(&bounds, [0.05, 0.5, 0.7, 3.0]);
/// assert_eq!(h.cumulative(), ([1, 3, 4], 4.25));
/// ```
pub struct Histogram<const N: usize> {
    /// Observations per bucket (not cumulative).
    counts: [AtomicU64; N],
    sum: AtomicU64,
    /// Even when no write is in progress; a writer makes it odd, then even again.
    sequence: AtomicU64,
    drops: Drops,
}

impl<const N: usize> Histogram<N> {
    /// No observation yet.
    pub const fn new() -> Self {
        Histogram {
            counts: [const { AtomicU64::new(0) }; N],
            sum: AtomicU64::new(0),
            sequence: AtomicU64::new(0),
            drops: Drops::new(),
        }
    }

    /// Observes every value of `values` into the buckets of `bounds` (the
    /// `N - 1` finite upper bounds, ascending): a value goes to the first
    /// bucket whose bound it does not exceed, else to `+Inf`.
    #[inline]
    pub fn observe(&self, bounds: &[f64], values: impl IntoIterator<Item = f64>) {
        let mut values = values.into_iter().peekable();
        if values.peek().is_none() {
            return;
        }
        self.begin_write();
        let mut sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        for value in values {
            if !value.is_finite() {
                self.drops.count(Reason::NotFinite, 1);
                continue;
            }
            let bucket = bounds.partition_point(|bound| *bound < value).min(N - 1);
            let count = &self.counts[bucket];
            // The writer is alone (see `begin_write`): no read-modify-write needed.
            count.store(count.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
            sum += value;
        }
        self.sum.store(sum.to_bits(), Ordering::Relaxed);
        self.sequence.fetch_add(1, Ordering::Release);
    }

    /// Makes the sequence odd, waiting for another writer to finish first.
    fn begin_write(&self) {
        let mut seen = self.sequence.load(Ordering::Relaxed);
        loop {
            if seen % 2 == 1 {
                std::hint::spin_loop();
                seen = self.sequence.load(Ordering::Relaxed);
                continue;
            }
            match self.sequence.compare_exchange_weak(
                seen,
                seen + 1,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => seen = now,
            }
        }
        // The data writes that follow must not be seen before the odd sequence.
        fence(Ordering::Release);
    }

    /// The cumulative bucket counts (the last one is `+Inf`, the count of
    /// every observation) and the sum, as one consistent state.
    pub fn cumulative(&self) -> ([u64; N], f64) {
        let mut out = [0; N];
        let sum = self.read_into(&mut out);
        (out, sum)
    }

    /// Fills `out` (`N` long) with cumulative counts; returns the sum.
    fn read_into(&self, out: &mut [u64]) -> f64 {
        loop {
            let before = self.sequence.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let mut running = 0;
            for (slot, count) in out.iter_mut().zip(&self.counts) {
                running += count.load(Ordering::Relaxed);
                *slot = running;
            }
            let sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
            fence(Ordering::Acquire);
            if self.sequence.load(Ordering::Relaxed) == before {
                return sum;
            }
        }
    }
}

/// A histogram of any size, as the scrape reads it.
#[doc(hidden)]
pub trait HistogramSnapshot: Send + Sync {
    /// Replaces `out` with the cumulative counts (`+Inf` last) of one
    /// consistent state; returns its sum.
    fn snapshot(&self, out: &mut Vec<u64>) -> f64;
    /// What was not observed, by reason.
    fn drops(&self) -> &Drops;
}

impl<const N: usize> HistogramSnapshot for Histogram<N> {
    fn snapshot(&self, out: &mut Vec<u64>) -> f64 {
        out.clear();
        out.resize(N, 0);
        self.read_into(out)
    }

    fn drops(&self) -> &Drops {
        &self.drops
    }
}

impl<const N: usize> Default for Histogram<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for Histogram<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (buckets, sum) = self.cumulative();
        f.debug_struct("Histogram")
            .field("cumulative", &buckets)
            .field("sum", &sum)
            .finish()
    }
}
