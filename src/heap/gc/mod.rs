//! The cyclic garbage collector of CPython 3.8-3.13 (`Modules/gcmodule.c`, `Python/gc.c` 3.13): generations,
//! thresholds, and a collection that runs as a steppable state machine (see `collect.rs`).

mod collect;
mod garbage;
mod incremental;
mod lists;
mod module;
mod traverse;

pub use collect::{Collection, Phase};
use incremental::Incremental;
pub use lists::GcList;
pub(crate) use lists::GcLists;

use crate::heap::ids::ObjId;

/// `gc.DEBUG_STATS`.
pub const DEBUG_STATS: u32 = 1;
/// `gc.DEBUG_COLLECTABLE`.
pub const DEBUG_COLLECTABLE: u32 = 2;
/// `gc.DEBUG_UNCOLLECTABLE`.
pub const DEBUG_UNCOLLECTABLE: u32 = 4;
/// `gc.DEBUG_SAVEALL`: every unreachable object goes to `gc.garbage` instead of being freed.
pub const DEBUG_SAVEALL: u32 = 32;
/// `gc.DEBUG_LEAK = DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL`.
pub const DEBUG_LEAK: u32 = DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL;

/// One generation's entry of `gc.get_stats()`: cumulative counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Collections of this generation.
    pub collections: u64,
    /// Objects collected by them.
    pub collected: u64,
    /// Objects found uncollectable by them.
    pub uncollectable: u64,
    /// Objects they examined (3.15's `candidates`).
    pub candidates: u64,
}

/// What one collection found (`gc.collect()` returns `collected + uncollectable`, §3.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CollectResult {
    /// The generation collected.
    pub generation: usize,
    /// Unreachable objects freed (or saved by `DEBUG_SAVEALL`), plus weakrefs that died after their callbacks.
    pub collected: u64,
    /// Objects in the legacy-finalizer (`tp_del`) set.
    pub uncollectable: u64,
}

impl CollectResult {
    /// What `gc.collect()` returns.
    pub fn total(&self) -> u64 {
        self.collected + self.uncollectable
    }
}

/// The collector's state (`struct _gc_runtime_state`).
#[derive(Debug)]
pub struct GcState {
    pub(crate) lists: GcLists,
    pub(crate) count: [u32; 3],
    pub(crate) thresholds: [u32; 3],
    pub(crate) enabled: bool,
    pub(crate) debug: u32,
    pub(crate) stats: [GenStats; 3],
    pub(crate) long_lived_total: u64,
    pub(crate) long_lived_pending: u64,
    /// `gc.garbage`: each entry holds a reference (counted as a root).
    pub(crate) garbage: Vec<ObjId>,
    /// `gc.callbacks`: each holds a reference (counted as a root).
    pub(crate) callbacks: Vec<ObjId>,
    pub(crate) collection: Option<Box<Collection>>,
    /// `gcstate->collecting`: set for the whole collection, so nested collections return 0.
    pub(crate) collecting: bool,
    /// 3.12+: a collection was scheduled and runs at the next statement boundary (`_Py_ScheduleGC`).
    pub(crate) scheduled: bool,
    pub(crate) last: Option<CollectResult>,
    /// What the debug flags made the collector write to stderr, not yet taken.
    pub(crate) messages: Vec<String>,
    /// The 3.14 incremental collector's state (unused by the generational profiles).
    pub(crate) incremental: Incremental,
    /// `gc.get_count()` as last reported to the event sink.
    pub(crate) reported_count: [u32; 3],
}

impl GcState {
    pub(crate) fn new(thresholds: [u32; 3]) -> GcState {
        GcState {
            lists: GcLists::default(),
            count: [0; 3],
            thresholds,
            enabled: true,
            debug: 0,
            stats: [GenStats::default(); 3],
            long_lived_total: 0,
            long_lived_pending: 0,
            garbage: Vec::new(),
            callbacks: Vec::new(),
            collection: None,
            collecting: false,
            scheduled: false,
            last: None,
            messages: Vec::new(),
            incremental: Incremental::default(),
            reported_count: [0; 3],
        }
    }
}
