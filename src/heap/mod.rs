//! The simulated CPython heap: pymalloc, objects, reference counts, free lists and events.
//!
//! Pure Rust: nothing here imports the scripting, TUI or file-format layers (a test checks it). Objects are
//! named by typed ids, never pointers; everything is deterministic.

mod check;
mod core;
mod dealloc;
mod error;
mod events;
mod freelist;
pub mod gc;
mod ids;
mod inspect;
pub mod ledger;
mod object;
pub mod obmalloc;
pub mod profile;
mod roots;
mod sizes;
mod startup;
mod statics;
pub mod tracemalloc;
mod types;
mod values;

pub use check::CheckError;
pub use core::Heap;
pub use dealloc::Call;
pub use error::{HeapError, HeapResult};
pub use events::{Cause, EdgeLabel, Event, EventSink, NullSink, SharedSink, VecSink};
pub use ids::{Addr, ArenaIndex, Name, ObjId, SiteId};
pub use inspect::{ClassReport, MallocReport};
pub use ledger::{ArenaUse, Ledger, Part};
pub use object::{Edge, Kind, Object, relabel_edges};
pub use profile::{Profile, PyVersion};
pub use roots::{Binding, Frame, Frames};
pub use statics::StaticKey;
pub use values::{ClassInfo, ClassSpec, Value};
