//! heapscope's own memory: a counting global allocator (the binary installs it) so a run can be held to a
//! host memory limit, and a last word before an allocation failure aborts the process (the view restores
//! the terminal there).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

/// The system allocator, counting the bytes it hands out.
pub struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static ON_FAILURE: AtomicPtr<()> = AtomicPtr::new(std::ptr::null_mut());

/// Bytes allocated now (0 where the counting allocator is not installed, as in the library's tests).
pub fn allocated() -> u64 {
    ALLOCATED.load(Ordering::Relaxed) as u64
}

/// Call `f` when an allocation fails, just before the process aborts. `f` must not allocate.
pub fn on_allocation_failure(f: fn()) {
    ON_FAILURE.store(f as *mut (), Ordering::SeqCst);
}

/// Stop calling what [`on_allocation_failure`] set.
pub fn clear_allocation_failure() {
    ON_FAILURE.store(std::ptr::null_mut(), Ordering::SeqCst);
}

fn failed() {
    static ONCE: AtomicBool = AtomicBool::new(false);
    let f = ON_FAILURE.load(Ordering::SeqCst);
    if !f.is_null() && !ONCE.swap(true, Ordering::SeqCst) {
        // SAFETY: only `fn()` pointers are stored (`on_allocation_failure`).
        let f: fn() = unsafe { std::mem::transmute::<*mut (), fn()>(f) };
        f();
    }
}

fn counted(p: *mut u8, size: usize) -> *mut u8 {
    if p.is_null() {
        failed();
    } else {
        ALLOCATED.fetch_add(size, Ordering::Relaxed);
    }
    p
}

// SAFETY: every call is forwarded to `System` unchanged; only the count is kept on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        counted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            failed();
        } else {
            ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
            ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

/// The host memory limit a run gets by default: 4 GiB, or a third of the address space the process may use
/// (`ulimit -v`) when that is less, so the limit is met before the system refuses an allocation: a growing
/// table briefly needs its old and its new storage at once, and the limit is checked between operations.
pub fn default_limit() -> u64 {
    const DEFAULT: u64 = 4 << 30;
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    match ok && limit.rlim_cur != libc::RLIM_INFINITY {
        true => DEFAULT.min(limit.rlim_cur / 3),
        false => DEFAULT,
    }
}
