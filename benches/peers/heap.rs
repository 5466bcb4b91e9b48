//! A counting global allocator: the heap bytes a setup leaves behind.
//!
//! It counts only while [`retained`] runs, so the timed benchmarks pay one
//! relaxed load per allocation and nothing else.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static NET: AtomicIsize = AtomicIsize::new(0);

fn count(bytes: isize) {
    if ON.load(Relaxed) {
        NET.fetch_add(bytes, Relaxed);
    }
}

// SAFETY: forwards every call to the system allocator unchanged; the counter
// is only a side effect.
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

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What `f` builds, and the bytes it allocated and did not free (requested
/// sizes, without the allocator's own overhead). The caller must be the only
/// thread allocating meanwhile.
pub fn retained<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let before = NET.load(Relaxed);
    ON.store(true, Relaxed);
    let built = f();
    ON.store(false, Relaxed);
    (built, NET.load(Relaxed) - before)
}
