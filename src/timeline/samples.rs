//! The totals behind the Timeline chart: bytes held, bytes in use and live objects at every mark, kept as
//! ranges once they are merged, so a fall (a bulk free) is never hidden behind the peak before it.

use super::image::Image;

/// The chart keeps between this many and twice as many samples, however long the run: when there are more,
/// neighbours merge (keeping both extremes).
const SAMPLES: usize = 1 << 16;

/// Heap totals at one point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Bytes the allocator holds from the OS (mapped arenas and raw blocks).
    pub held: u64,
    /// Bytes in allocated blocks (pymalloc and raw).
    pub bytes: u64,
    /// Live objects.
    pub live: u64,
}

impl Totals {
    /// The totals of a replayed heap.
    pub fn of(img: &Image) -> Totals {
        Totals { held: img.alloc.bytes_held(img.arena_size()), bytes: img.alloc.bytes_in_use(), live: img.live }
    }

    fn zip(self, o: Totals, f: fn(u64, u64) -> u64) -> Totals {
        Totals { held: f(self.held, o.held), bytes: f(self.bytes, o.bytes), live: f(self.live, o.live) }
    }
}

/// The totals at the marks from `event` to the next sample: their least and most, and the last of them
/// (one mark: all three the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Events before the first mark.
    pub event: u64,
    /// The least of each total.
    pub lo: Totals,
    /// The most.
    pub hi: Totals,
    /// At the last mark.
    pub last: Totals,
}

impl Sample {
    fn merge(&mut self, o: &Sample) {
        self.lo = self.lo.zip(o.lo, u64::min);
        self.hi = self.hi.zip(o.hi, u64::max);
        self.last = o.last;
    }
}

/// The samples of a run, bounded in number.
#[derive(Clone, Debug)]
pub struct Samples {
    /// In event order.
    pub all: Vec<Sample>,
    /// The most of each total seen.
    pub peak: Totals,
    /// Events between samples (doubled whenever the samples merge).
    spacing: u64,
}

impl Default for Samples {
    fn default() -> Samples {
        Samples { all: Vec::new(), peak: Totals::default(), spacing: 1 }
    }
}

impl Samples {
    /// Note the totals `t` at `event`: a new sample, or into the last one while it is closer than the
    /// spacing; past `2 * SAMPLES` samples, pairs merge and the spacing doubles.
    pub fn note(&mut self, event: u64, t: Totals) {
        self.peak = self.peak.zip(t, u64::max);
        let s = Sample { event, lo: t, hi: t, last: t };
        match self.all.last_mut() {
            Some(prev) if event - prev.event < self.spacing => prev.merge(&s),
            _ => self.all.push(s),
        }
        if self.all.len() > 2 * SAMPLES {
            self.all = (self.all.chunks(2))
                .map(|p| {
                    let mut m = p[0];
                    p[1..].iter().for_each(|s| m.merge(s));
                    m
                })
                .collect();
            self.spacing *= 2;
        }
    }

    /// One total as chart points, `columns` buckets over `0..end` events: each bucket gives its most and
    /// least (in the order the run went: a fall draws top to bottom), so every sample shows.
    pub fn points(&self, columns: usize, end: u64, total: fn(&Totals) -> u64) -> Vec<(f64, f64)> {
        let width = end.max(1).div_ceil(columns.max(1) as u64).max(1);
        let mut pts = Vec::with_capacity(2 * columns);
        let mut i = 0;
        while i < self.all.len() {
            let bucket = self.all[i].event / width;
            let first = &self.all[i];
            let open = total(&first.last);
            let (mut lo, mut hi, mut close) = (total(&first.lo), total(&first.hi), open);
            i += 1;
            while i < self.all.len() && self.all[i].event / width == bucket {
                let s = &self.all[i];
                (lo, hi, close) = (lo.min(total(&s.lo)), hi.max(total(&s.hi)), total(&s.last));
                i += 1;
            }
            let x = first.event as f64;
            let (a, b) = if close < open { (hi, lo) } else { (lo, hi) };
            pts.push((x, a as f64));
            if b != a {
                pts.push((x, b as f64));
            }
            if close != b {
                pts.push((x, close as f64));
            }
        }
        pts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(bytes: u64) -> Totals {
        Totals { held: bytes.max(1 << 20), bytes, live: bytes / 16 }
    }

    /// fragmentation.py's shape: a long climb sampled at every mark, then one statement that frees nearly
    /// everything, sampled once after it. The chart's last points are the fall, not the peak.
    #[test]
    fn a_bulk_free_after_the_peak_is_drawn() {
        let mut s = Samples::default();
        for i in 0..30_000u64 {
            s.note(i * 12, at(i * 240));
        }
        s.note(498_000, at(74_000));
        let pts = s.points(148, 498_000, |t| t.bytes);
        let &(x, y) = pts.last().unwrap();
        assert_eq!((x, y), (498_000.0, 74_000.0), "the run's end is drawn at its value");
        let peak = pts.iter().map(|p| p.1).fold(0.0, f64::max);
        assert_eq!(peak, (29_999 * 240) as f64, "the peak is drawn too");
    }

    /// Within one chart column, a spike and its fall both show, in the order they happened.
    #[test]
    fn a_column_draws_its_range_in_order() {
        let mut s = Samples::default();
        for (e, b) in [(0, 10), (1, 500), (2, 20)] {
            s.note(e, at(b));
        }
        assert_eq!(s.points(1, 3, |t| t.bytes), vec![(0.0, 10.0), (0.0, 500.0), (0.0, 20.0)]);
        let mut s = Samples::default();
        for (e, b) in [(0, 500), (1, 10)] {
            s.note(e, at(b));
        }
        assert_eq!(s.points(1, 3, |t| t.bytes), vec![(0.0, 500.0), (0.0, 10.0)], "a fall draws top to bottom");
    }

    /// Past twice the sample budget pairs merge, keeping both extremes: a one-mark dip survives.
    #[test]
    fn merging_keeps_the_extremes() {
        let mut s = Samples::default();
        for e in 0..(3 * SAMPLES as u64) {
            s.note(e, at(if e == 77_777 { 0 } else { 1_000 }));
        }
        assert!(s.all.len() <= 2 * SAMPLES, "{} samples", s.all.len());
        assert!(s.all.iter().any(|x| x.lo.bytes == 0), "the dip is kept");
        assert_eq!(s.peak.bytes, 1_000);
    }
}
