//! The headless report as text.

use super::runner::Report;
use crate::heap::obmalloc::thousands;
use std::fmt::Write;

/// The per-step report `heapscope run --headless` prints.
pub fn render(r: &Report) -> String {
    render_of(r, r.steps.len())
}

/// The report of a run that stopped early: its finished steps, numbered out of the scenario's `total`.
pub fn render_of(r: &Report, total: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} (CPython {})", r.name, r.profile);
    if !r.description.trim().is_empty() {
        let _ = writeln!(out, "{}", r.description.trim());
    }
    for (i, s) in r.steps.iter().enumerate() {
        let _ = writeln!(out, "\nStep {}/{total}: {}", i + 1, s.title);
        for line in s.narration.trim().lines() {
            let _ = writeln!(out, "  {line}");
        }
        let e = &s.effect;
        let _ = writeln!(
            out,
            "  heap: {} created, {} freed, {} alive; {} pool{} in {} arena{}, {} bytes in blocks{}",
            thousands(e.created),
            thousands(e.freed),
            thousands(e.live),
            thousands(e.pools),
            if e.pools == 1 { "" } else { "s" },
            e.arenas,
            if e.arenas == 1 { "" } else { "s" },
            thousands(e.bytes_in_blocks),
            match e.free_list_bytes {
                0 => String::new(),
                n => format!(" ({} of them kept on free lists)", thousands(n)),
            }
        );
        let _ = writeln!(out, "  memory: {}", s.memory.summary());
        for line in s.memory.pinning() {
            let _ = writeln!(out, "    {line}");
        }
        let runs: u64 = e.collections.iter().sum();
        if runs > 0 {
            let per: Vec<String> = e
                .collections
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(g, n)| format!("{n} of generation {g}"))
                .collect();
            let _ = writeln!(
                out,
                "  gc: {} ({}), found {}",
                if runs == 1 { "1 collection".into() } else { format!("{runs} collections") },
                per.join(", "),
                e.found
            );
        }
        if !e.refcounts.is_empty() {
            let names: Vec<String> = e.refcounts.iter().map(|(n, rc)| format!("{n}={rc}")).collect();
            let _ = writeln!(out, "  refcounts (sys.getrefcount): {}", names.join(" "));
        }
        for line in &s.log {
            let _ = writeln!(out, "  | {line}");
        }
        for c in &s.checks {
            let mark = if c.passed { "ok  " } else { "FAIL" };
            let _ = write!(out, "  {mark} {}", c.expr);
            match &c.detail {
                Some(d) => {
                    let _ = writeln!(out, "    ({d})");
                }
                None => out.push('\n'),
            }
        }
    }
    out
}
