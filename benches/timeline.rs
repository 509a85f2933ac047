//! The recording behind time travel, on a run of more than 10,000,000 heap events (a 500,000-node list of
//! instances with an attribute each, built, then dropped):
//!
//! 1. recording cost: host bytes the finished recording holds per event, everything included (encoded events,
//!    marks, frame changes, samples, labels, checkpoints) — target at most 32;
//! 2. seeking: 200 seeks to random points, and stepping back one statement from the end — target at most
//!    50 ms each.
//!
//! Memory is counted by a counting global allocator; time by `Instant`. Timing decides nothing here: the
//! figures are printed.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/million.rs"]
mod million;

use heapscope::timeline::record;
use rand::{RngExt, SeedableRng};
use std::time::Instant;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

fn main() {
    let loaded = million::scenario(true);
    let before = counting::live();
    let t = Instant::now();
    let r = record(&loaded, Vec::new());
    let took = t.elapsed();
    let held = counting::live() - before;
    let n = r.events();
    println!("recorded {n} events and {} marks in {:.2} s", r.marks.len(), took.as_secs_f64());
    println!("recording cost: {:.1} bytes per event (target <= 32)", held as f64 / n as f64);
    println!(
        "  of which encoded events {:.1}, marks {:.1} (24 bytes each)",
        r.encoded_len() as f64 / n as f64,
        (r.marks.len() * size_of::<heapscope::timeline::marks::Mark>()) as f64 / n as f64
    );

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut cursor = r.start();
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            let target = rng.random_range(0..=n);
            let t = Instant::now();
            r.seek(&mut cursor, target);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "seek to a random point: median {:.2} ms, max {:.2} ms (target <= 50)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    r.seek(&mut cursor, n);
    let back = r.marks.iter().rev().find(|m| m.event < n).map_or(0, |m| m.event);
    let t = Instant::now();
    r.seek(&mut cursor, back);
    println!("one statement back from the end: {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
}
