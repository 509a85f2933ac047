//! Criterion benchmarks of the heap engine's hot paths, with events recorded.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use heapscope::heap::obmalloc::Obmalloc;
use heapscope::heap::{Event, EventSink, Heap, Profile, PyVersion};

#[path = "common/shapes.rs"]
mod shapes;
use std::hint::black_box;

/// Records events into a buffer that is recycled when full, as a recording would page them out.
struct Recording(Vec<Event>);

impl EventSink for Recording {
    fn emit(&mut self, e: Event) {
        if self.0.len() == self.0.capacity() {
            self.0.clear();
        }
        self.0.push(e);
    }
}

fn recording() -> Recording {
    Recording(Vec::with_capacity(1 << 20))
}

fn alloc_free_pairs(c: &mut Criterion) {
    let mut g = c.benchmark_group("pymalloc");
    g.throughput(Throughput::Elements(1000));
    let profile = Profile::for_version(PyVersion::V3_13);
    g.bench_function("1000 alloc+free pairs (events on)", |b| {
        let mut a = Obmalloc::new(&profile);
        let mut sink = recording();
        let keep: Vec<u64> = (0..1000).map(|_| a.malloc(48, &mut sink).unwrap()).collect();
        b.iter(|| {
            for i in 0..1000usize {
                let p = a.malloc(16 + (i % 20) * 16, &mut sink).unwrap();
                a.free(black_box(p), &mut sink).unwrap();
            }
        });
        black_box(keep);
    });
    g.bench_function("1000 object create+drop (events on)", |b| {
        let mut h = Heap::with_sink(profile, Box::new(recording()));
        b.iter(|| {
            for _ in 0..1000 {
                let o = h.new_object().unwrap();
                h.dec_root(black_box(o)).unwrap();
            }
        });
    });
    g.finish();
}

fn chain(c: &mut Criterion) {
    let mut g = c.benchmark_group("chain");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("build a 1,000,000-node chain and drop its head", |b| {
        b.iter(|| {
            let mut h = Heap::with_sink(Profile::for_version(PyVersion::V3_13), Box::new(recording()));
            let head = shapes::chain(&mut h, 1_000_000);
            h.dec_root(head).unwrap();
            black_box(h.user_objects())
        });
    });
    g.finish();
}

criterion_group!(benches, alloc_free_pairs, chain);
criterion_main!(benches);
