//! tracemalloc (§6): while tracing, every block handed out is recorded with its requested size and the site
//! (script line) that allocated it; frees remove it. Blocks kept by free lists stay traced, as in CPython.

use super::ids::Addr;
use rustc_hash::FxHashMap;

/// One traced block: its requested size and allocation site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trace {
    /// Requested bytes (GC head and pre-header included, not rounded to the size class).
    pub size: u64,
    /// Where it was allocated (`Heap::set_site`).
    pub site: u32,
}

/// The tracer's state (`Modules/_tracemalloc.c`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Tracer {
    traces: FxHashMap<Addr, Trace>,
    current: u64,
    peak: u64,
}

impl Tracer {
    /// A block was handed out (or resized in place).
    pub fn alloc(&mut self, addr: Addr, size: u64, site: u32) {
        if let Some(old) = self.traces.insert(addr, Trace { size, site }) {
            self.current -= old.size;
        }
        self.current += size;
        self.peak = self.peak.max(self.current);
    }

    /// A block was freed; blocks allocated before tracing started are ignored.
    pub fn free(&mut self, addr: Addr) {
        if let Some(old) = self.traces.remove(&addr) {
            self.current -= old.size;
        }
    }

    /// `get_traced_memory()`: `(current, peak)`.
    pub fn traced_memory(&self) -> (u64, u64) {
        (self.current, self.peak)
    }

    /// `reset_peak()` (3.9+): the peak restarts from the current size.
    pub fn reset_peak(&mut self) {
        self.peak = self.current;
    }

    /// The live traces, in address order (deterministic).
    pub fn traces(&self) -> Vec<Trace> {
        let mut v: Vec<(Addr, Trace)> = self.traces.iter().map(|(a, t)| (*a, *t)).collect();
        v.sort_unstable_by_key(|(a, _)| *a);
        v.into_iter().map(|(_, t)| t).collect()
    }
}
