//! Engine tests through the public API: one binary, one module per concern.

mod cli;
mod cpython;
mod dealloc;
mod fuzz;
mod gc_314;
mod gc_cases;
mod gc_property;
mod key_index;
mod ledger;
mod limits;
mod mallocstats;
mod property;
mod purity;
mod python;
mod python_property;
mod python_stepping;
mod refcount;
mod scenarios;
mod script;
mod sizes;
mod startup;
mod support;
mod timeline;
mod tmux;
mod tui;
mod twins;
