//! Time travel: a run's heap events recorded compactly, with statement marks and checkpoints, so any point of
//! the run can be rebuilt and shown, backwards as easily as forwards.

pub mod image;
pub mod verify;

pub use image::Image;
