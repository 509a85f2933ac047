//! Constructors and operations for each Python type, each returning new references the way the C API does.

mod callables;
mod containers;
mod instances;
mod iterators;
mod key_index;
mod mapping;
mod numbers;
pub(crate) use key_index::KeyIndexes;
