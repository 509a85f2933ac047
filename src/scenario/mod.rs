//! Scenario files (YAML): the format, loading with precise errors, the runner, and the headless report.

pub mod error;
pub mod explain;
pub mod export;
pub mod format;
pub mod input;
pub mod junit;
pub mod load;
pub mod memory;
pub mod python;
pub mod report;
pub mod runner;
pub mod source;
pub mod traceback;
pub mod verify;

pub use error::ScenarioError;
pub use load::{Loaded, load};
pub use runner::{Report, run};
