//! Host memory per live simulated object: build a 1,000,000-node chain under a counting allocator and print
//! the bytes the simulator holds per node, with and without its edges.

use heapscope::heap::{Heap, NullSink, Profile, PyVersion};

#[path = "common/counting.rs"]
mod counting;
#[path = "common/shapes.rs"]
mod shapes;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

fn main() {
    const N: usize = 1_000_000;
    let mut h = Heap::with_sink(Profile::for_version(PyVersion::V3_13), Box::new(NullSink));
    let before = counting::live();
    shapes::chain(&mut h, N);
    let used = counting::live() - before;
    let edges: usize = h.object_ids().map(|id| h.get(id).unwrap().referents().len()).sum();
    let edge_bytes = edges * std::mem::size_of::<heapscope::heap::Edge>();
    // Each object's edge array is a `ThinVec`: a 16-byte header (length, capacity) in front of the edges.
    let edge_storage = edge_bytes + 16 * N;
    let per = |b: usize| b as f64 / N as f64;
    println!("live simulated objects: {}", h.live_objects());
    println!("host bytes per node, all:                    {:.1}", per(used));
    println!("  edges ({:.2}/node x 16 B + 16 B header):    {:.1}", edges as f64 / N as f64, per(edge_storage));
    println!("  the object itself (table slot, allocator):  {:.1} (target <= 64)", per(used - edge_storage));
}
