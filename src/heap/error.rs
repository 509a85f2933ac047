//! Engine errors: misuse of the heap API is reported, never a panic.

use super::ids::ObjId;
use super::obmalloc::AllocError;

/// What can go wrong when driving the heap.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HeapError {
    /// The id names an object that was freed (its slot may since have been reused).
    #[error("object {0} was already freed")]
    Freed(ObjId),
    /// The id was never handed out by this heap.
    #[error("object {0} does not exist in this heap")]
    Unknown(ObjId),
    /// A root reference was released that was never taken.
    #[error("object {0} has no root reference to release")]
    NoRoot(ObjId),
    /// An operation needs an object of another type (`TypeError` in Python).
    #[error("TypeError: {0}")]
    Type(String),
    /// A bad argument value (`ValueError`).
    #[error("ValueError: {0}")]
    Value(String),
    /// An index outside the sequence (`IndexError`).
    #[error("IndexError: {0}")]
    Index(String),
    /// A missing key or attribute (`KeyError` / `AttributeError`).
    #[error("{0}")]
    Missing(String),
    /// The allocator refused (simulated `MemoryError`, or an internal misuse).
    #[error(transparent)]
    Alloc(#[from] AllocError),
    /// A finalizer or callback must be run before the heap can continue (see `Heap::pending_call`).
    #[error("a finalizer or weakref callback is pending; run it and call `resume` first")]
    CallPending,
    /// Python allows it, but heapscope does not simulate it (refused rather than computed differently).
    #[error("NotImplementedError: {0}")]
    NotSimulated(String),
    /// A reference count would overflow `u32`.
    #[error("reference count of {0} overflowed")]
    Overflow(ObjId),
}

/// Shorthand for engine results.
pub type HeapResult<T> = Result<T, HeapError>;
