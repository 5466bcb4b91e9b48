//! A counting global allocator, for tests and benchmarks that measure what a
//! piece of code allocates: how often, and how many bytes it keeps.
//!
//! A test binary installs it with
//! `#[global_allocator] static HEAP: harness::heap::Counting = harness::heap::Counting;`.
//! It counts only the allocations of the thread inside [`measure`] (the test
//! harness's own threads allocate when they like), so everything else pays
//! one thread-local read per allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The allocator: the system's, plus counters.
pub struct Counting;

thread_local! {
    /// Whether this thread is inside `measure`.
    static ON: Cell<bool> = const { Cell::new(false) };
    /// Bytes allocated and not freed, and allocations, by this thread while on.
    static NET: Cell<isize> = const { Cell::new(0) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn count(bytes: isize) {
    // `try_with`: a thread being torn down has no thread-locals left.
    if ON.try_with(Cell::get).unwrap_or(false) {
        let _ = NET.try_with(|net| net.set(net.get() + bytes));
        if bytes >= 0 {
            let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
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

/// What `f` returns and what it did to the heap, on this thread (the binary
/// must install [`Counting`], or everything reads 0).
///
/// ```no_run
/// let (v, usage) = harness::heap::measure(|| vec![0u8; 100]);
/// assert_eq!(usage.retained, 100);
/// # drop(v);
/// ```
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Usage) {
    let (net, calls) = (NET.with(Cell::get), CALLS.with(Cell::get));
    ON.with(|on| on.set(true));
    let value = f();
    ON.with(|on| on.set(false));
    let usage = Usage {
        allocations: CALLS.with(Cell::get) - calls,
        retained: NET.with(Cell::get) - net,
    };
    (value, usage)
}
