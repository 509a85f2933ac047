//! The `tracemalloc` module: snapshots, `statistics("lineno" | "filename")`, `compare_to`, and CPython's text
//! for them (`Lib/tracemalloc.py`, §6). Traces come from the engine; a site is a line of the script.

use super::args::RResult;
use super::builtins::act;
use super::runtime::Rt;
use rhai::{Array, Dynamic, Engine, INT, Module, NativeCallContext};
use std::collections::BTreeMap;
use std::fmt;

/// `tracemalloc.Snapshot`: the traces at one moment.
#[derive(Clone, Debug)]
pub struct Snapshot {
    file: String,
    traces: Vec<(u32, u64)>,
}

/// `tracemalloc.Statistic` or `StatisticDiff` (with `diff`).
#[derive(Clone, Debug, PartialEq)]
pub struct Statistic {
    file: String,
    /// 0 when grouped by file.
    line: u32,
    size: i64,
    count: i64,
    diff: Option<(i64, i64)>,
}

impl Statistic {
    /// A numeric attribute: `size`, `count`, `size_diff`, `count_diff`.
    pub fn field(&self, name: &str) -> Option<INT> {
        Some(match name {
            "size" => self.size,
            "count" => self.count,
            "size_diff" => self.diff.map_or(0, |d| d.0),
            "count_diff" => self.diff.map_or(0, |d| d.1),
            _ => return None,
        } as INT)
    }

    /// `stat.traceback`: one frame deep.
    pub fn traceback(&self) -> Traceback {
        Traceback(Frame { file: self.file.clone(), line: self.line })
    }

    /// `repr(stat)`: `Statistic.__repr__` / `StatisticDiff.__repr__` (Lib/tracemalloc.py).
    pub fn repr(&self) -> String {
        let traceback = self.traceback().repr();
        match self.diff {
            None => format!("<Statistic traceback={traceback} size={} count={}>", self.size, self.count),
            Some((sd, cd)) => format!(
                "<StatisticDiff traceback={traceback} size={} ({sd:+}) count={} ({cd:+})>",
                self.size, self.count
            ),
        }
    }
}

/// A statistic's traceback: a sequence of one frame (`tracemalloc.start()` keeps one frame by default).
#[derive(Clone, Debug)]
pub struct Traceback(pub Frame);

/// One frame of a traceback: `filename` and `lineno`.
#[derive(Clone, Debug)]
pub struct Frame {
    /// `frame.filename`.
    pub file: String,
    /// `frame.lineno`.
    pub line: u32,
}

impl Frame {
    /// `repr(frame)`: `<Frame filename='f.py' lineno=3>`.
    pub fn repr(&self) -> String {
        format!("<Frame filename={} lineno={}>", crate::script::python::str_repr(&self.file), self.line)
    }
}

impl fmt::Display for Frame {
    /// `str(frame)`: `filename:lineno`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl Traceback {
    /// `repr(traceback)`: `<Traceback (<Frame filename='f.py' lineno=3>,)>`.
    pub fn repr(&self) -> String {
        format!("<Traceback ({},)>", self.0.repr())
    }

    /// `traceback[i]`: its frames are a tuple of one.
    pub fn frame(&self, index: i64) -> Result<Frame, String> {
        match index {
            0 | -1 => Ok(self.0.clone()),
            _ => Err("IndexError: tuple index out of range".into()),
        }
    }
}

impl fmt::Display for Traceback {
    /// `str(traceback)`: `Frame.__str__` of its most recent frame.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `_format_size(size, sign)`.
fn format_size(size: f64, sign: bool) -> String {
    let mut size = size;
    for unit in ["B", "KiB", "MiB", "GiB", "TiB"] {
        if size.abs() < 100.0 && unit != "B" {
            return if sign { format!("{size:+.1} {unit}") } else { format!("{size:.1} {unit}") };
        }
        if size.abs() < 10.0 * 1024.0 || unit == "TiB" {
            return if sign { format!("{size:+.0} {unit}") } else { format!("{size:.0} {unit}") };
        }
        size /= 1024.0;
    }
    unreachable!("TiB always returns")
}

impl fmt::Display for Statistic {
    /// `Statistic.__str__` / `StatisticDiff.__str__`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = format_size(self.size as f64, false);
        match self.diff {
            None => write!(f, "{}: size={size}, count={}", self.traceback(), self.count)?,
            Some((size_diff, count_diff)) => write!(
                f,
                "{}: size={size} ({}), count={} ({count_diff:+})",
                self.traceback(),
                format_size(size_diff as f64, true),
                self.count
            )?,
        }
        if self.count != 0 {
            write!(f, ", average={}", format_size(self.size as f64 / self.count as f64, false))?;
        }
        Ok(())
    }
}

impl Snapshot {
    /// Traces grouped by line (`"lineno"`) or by file (`"filename"`): key -> (size, count).
    fn grouped(&self, key: &str) -> RResult<BTreeMap<u32, (i64, i64)>> {
        let by_line = match key {
            "lineno" => true,
            "filename" => false,
            other => return Err(format!("ValueError: unknown key_type: '{other}' (lineno or filename)").into()),
        };
        let mut groups: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
        for &(site, size) in &self.traces {
            let g = groups.entry(if by_line { site } else { 0 }).or_default();
            g.0 += size as i64;
            g.1 += 1;
        }
        Ok(groups)
    }

    /// `Snapshot.statistics(key_type)`: sorted descending by `(size, count, traceback)`.
    pub fn statistics(&self, key: &str) -> RResult<Vec<Statistic>> {
        let mut stats: Vec<Statistic> = self
            .grouped(key)?
            .into_iter()
            .map(|(line, (size, count))| Statistic { file: self.file.clone(), line, size, count, diff: None })
            .collect();
        stats.sort_by_key(|s| std::cmp::Reverse((s.size, s.count, s.line)));
        Ok(stats)
    }

    /// `Snapshot.compare_to(old, key_type)`: sorted descending by
    /// `(abs(size_diff), size, abs(count_diff), count, traceback)`.
    pub fn compare_to(&self, old: &Snapshot, key: &str) -> RResult<Vec<Statistic>> {
        let (new, old) = (self.grouped(key)?, old.grouped(key)?);
        let lines: std::collections::BTreeSet<u32> = new.keys().chain(old.keys()).copied().collect();
        let mut stats: Vec<Statistic> = lines
            .into_iter()
            .map(|line| {
                let (s, c) = new.get(&line).copied().unwrap_or_default();
                let (os, oc) = old.get(&line).copied().unwrap_or_default();
                Statistic { file: self.file.clone(), line, size: s, count: c, diff: Some((s - os, c - oc)) }
            })
            .collect();
        let key = |s: &Statistic| {
            let (sd, cd) = s.diff.unwrap_or_default();
            (sd.abs(), s.size, cd.abs(), s.count, s.line)
        };
        stats.sort_by_key(|s| std::cmp::Reverse(key(s)));
        Ok(stats)
    }
}

/// Register `tracemalloc::` and the snapshot and statistic types; `file` names the script in tracebacks.
pub fn register(engine: &mut Engine, rt: &Rt, file: &str) {
    engine.register_type_with_name::<Snapshot>("Snapshot");
    engine.register_type_with_name::<Statistic>("Statistic");
    engine.register_type_with_name::<Traceback>("Traceback");
    engine.register_type_with_name::<Frame>("Frame");
    engine.register_fn("statistics", |s: &mut Snapshot, key: &str| -> RResult<Array> {
        Ok(s.statistics(key)?.into_iter().map(Dynamic::from).collect())
    });
    engine.register_fn("compare_to", |s: &mut Snapshot, old: Snapshot, key: &str| -> RResult<Array> {
        Ok(s.compare_to(&old, key)?.into_iter().map(Dynamic::from).collect())
    });
    engine.register_fn("to_string", |s: &mut Statistic| s.to_string());
    engine.register_get("size", |s: &mut Statistic| s.size as INT);
    engine.register_get("count", |s: &mut Statistic| s.count as INT);
    engine.register_get("size_diff", |s: &mut Statistic| s.diff.map_or(0, |d| d.0) as INT);
    engine.register_get("count_diff", |s: &mut Statistic| s.diff.map_or(0, |d| d.1) as INT);
    let mut m = Module::new();
    let r = rt.clone();
    m.set_native_fn("start", move |ctx: NativeCallContext| {
        act(&r, &ctx, |h| {
            h.tracemalloc_start();
            Ok(())
        })
    });
    let r = rt.clone();
    m.set_native_fn("stop", move |ctx: NativeCallContext| {
        act(&r, &ctx, |h| {
            h.tracemalloc_stop();
            Ok(())
        })
    });
    let r = rt.clone();
    m.set_native_fn("is_tracing", move || Ok(r.heap.borrow().tracemalloc_is_tracing()));
    let r = rt.clone();
    m.set_native_fn("get_traced_memory", move || {
        let (cur, peak) = r.heap.borrow().tracemalloc_traced_memory();
        Ok(vec![Dynamic::from(cur as INT), Dynamic::from(peak as INT)])
    });
    let r = rt.clone();
    m.set_native_fn("reset_peak", move || {
        r.heap.borrow_mut().tracemalloc_reset_peak();
        Ok(())
    });
    let r = rt.clone();
    let file = file.to_string();
    m.set_native_fn("take_snapshot", move || {
        let h = r.heap.borrow();
        if !h.tracemalloc_is_tracing() {
            return Err(
                "RuntimeError: the tracemalloc module must be tracing memory allocations to take a snapshot".into()
            );
        }
        Ok(Snapshot {
            file: file.clone(),
            traces: h.tracemalloc_traces().into_iter().map(|t| (t.site, t.size)).collect(),
        })
    });
    engine.register_static_module("tracemalloc", m.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_format_as_lib_tracemalloc_does() {
        // Every case checked against `tracemalloc._format_size` on CPython 3.11.7.
        for (size, sign, want) in [
            (32_768.0, false, "32.0 KiB"),
            (6334.0, false, "6334 B"),
            (6334.0, true, "+6334 B"),
            (33.0, false, "33 B"),
            (-120.0, true, "-120 B"),
            (10_240.0, false, "10.0 KiB"),
            (5.0 * 1024.0 * 1024.0, false, "5120 KiB"),
            (150.0 * 1024.0 * 1024.0, false, "150 MiB"),
        ] {
            assert_eq!(format_size(size, sign), want);
        }
        let s = Statistic { file: "tm.py".into(), line: 14, size: 6334, count: 101, diff: Some((6334, 101)) };
        assert_eq!(s.to_string(), "tm.py:14: size=6334 B (+6334 B), count=101 (+101), average=63 B");
    }
}
