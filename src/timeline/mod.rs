//! Time travel: a run's heap events recorded compactly, with statement marks and checkpoints, so any point of
//! the run can be rebuilt and shown, backwards as easily as forwards.
//!
//! [`recorder::Recorder`] watches a run and hands over [`recording::Batch`]es; a [`recording::Recording`]
//! takes them in (while the run goes on, from another thread, with [`spawn`]) and rebuilds the heap at any
//! point as an [`Image`].

pub mod codec;
pub mod image;
pub mod marks;
pub mod recorder;
pub mod recording;
pub mod samples;
pub mod verify;

pub use image::Image;
pub use recording::Recording;

use crate::scenario::Loaded;
use crate::scenario::runner::run_observed;
use recorder::Recorder;
use recording::Batch;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;

/// Record a whole run here and now, injecting `gc.collect()` before the statements numbered in `inject`.
pub fn record(loaded: &Loaded, inject: Vec<u64>) -> Recording {
    let recording = Rc::new(RefCell::new(Recording::new(&loaded.scenario.name, loaded.profile)));
    let r = recording.clone();
    let mut recorder = Recorder::new(
        Box::new(move |b| {
            r.borrow_mut().ingest(b);
            true
        }),
        inject,
    );
    let result = run_observed(loaded, None, &mut recorder);
    recorder.finish(&result);
    // The recorder and the interpreter's statement hook held the other handles; should anything still hold
    // one, it keeps an empty recording.
    drop(result);
    let empty = Recording::new(&loaded.scenario.name, loaded.profile);
    std::mem::replace(&mut *recording.borrow_mut(), empty)
}

/// The name of the thread [`spawn`] records on (a viewer's panic hook leaves the terminal alone for it).
pub const RECORDER_THREAD: &str = "heapscope-recorder";

/// Record a run on its own thread: batches arrive on the returned channel as it goes, the last one with the
/// run's end. Dropping the receiver stops the run at its next statement. Should the run panic (a bug), its
/// end says so instead of the viewer losing its data source without a word.
pub fn spawn(loaded: Loaded, inject: Vec<u64>) -> mpsc::Receiver<Batch> {
    let (tx, rx) = mpsc::channel();
    let on_panic = tx.clone();
    let spawned = std::thread::Builder::new().name(RECORDER_THREAD.into()).spawn(move || {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut recorder = Recorder::new(Box::new(move |b| tx.send(b).is_ok()), inject);
            let result = run_observed(&loaded, None, &mut recorder);
            recorder.finish(&result);
        }));
        if let Err(panic) = run {
            let what =
                panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
            let end = recording::End::Failed(format!(
                "internal error: the run stopped ({}); this is a heapscope bug, please report it with the scenario",
                what.unwrap_or_default()
            ));
            let _ = on_panic.send(Batch { end: Some(end), ..Batch::default() });
        }
    });
    if let Err(e) = spawned {
        let end = recording::End::Failed(format!("could not start the run: {e}"));
        let (tx, rx) = mpsc::channel();
        let _ = tx.send(Batch { end: Some(end), ..Batch::default() });
        return rx;
    }
    rx
}
