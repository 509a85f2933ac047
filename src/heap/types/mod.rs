//! Constructors and operations for each Python type, each returning new references the way the C API does.

mod callables;
mod containers;
mod instances;
mod iterators;
mod mapping;
mod numbers;
