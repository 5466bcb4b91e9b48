//! A counting global allocator, for tests and benchmarks that measure what a
//! piece of code allocates: how often, and how many bytes it keeps.
//!
//! A test binary installs it with
//! `#[global_allocator] static HEAP: harness::heap::Counting = harness::heap::Counting;`.
//! It counts only while [`measure`] runs, so everything else pays one relaxed
//! load per allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering::Relaxed};

/// The allocator: the system's, plus counters.
pub struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static NET: AtomicIsize = AtomicIsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

fn count(bytes: isize) {
    if ON.load(Relaxed) {
        NET.fetch_add(bytes, Relaxed);
        if bytes >= 0 {
            CALLS.fetch_add(1, Relaxed);
        }
    }
}

// SAFETY: forwards every call to the system allocator unchanged; the
// counters are only a side effect.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What a measured closure did to the heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Allocations and reallocations (frees not counted).
    pub allocations: usize,
    /// Bytes allocated and not freed (requested sizes, without the
    /// allocator's own overhead); negative if it freed more than it took.
    pub retained: isize,
}

/// What `f` returns and what it did to the heap. The caller must be the
/// only thread allocating meanwhile (and the binary must install
/// [`Counting`], or everything reads 0).
///
/// ```no_run
/// let (v, usage) = harness::heap::measure(|| vec![0u8; 100]);
/// assert_eq!(usage.retained, 100);
/// # drop(v);
/// ```
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Usage) {
    let (net, calls) = (NET.load(Relaxed), CALLS.load(Relaxed));
    ON.store(true, Relaxed);
    let value = f();
    ON.store(false, Relaxed);
    let usage = Usage {
        allocations: CALLS.load(Relaxed) - calls,
        retained: NET.load(Relaxed) - net,
    };
    (value, usage)
}
