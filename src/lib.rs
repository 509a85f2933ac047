#![warn(missing_docs)]
//! heapscope: see how CPython manages memory.
//!
//! `heap` is the simulated interpreter heap; `cli` is the command line.

pub mod cli;
pub mod cpython;
pub mod heap;
pub mod host_memory;
pub mod python;
pub mod safe_text;
pub mod scenario;
pub mod script;
pub mod timeline;
pub mod tui;
