//! `heapscope explain`: what a scenario runs. For a Python scenario, its lines with where stepping stops
//! (CPython's line events, with the function each is in), or with `--rhai` the Rhai it is lowered to.

use super::load::Loaded;
use std::collections::BTreeMap;

/// The explanation of `loaded` (its generated Rhai with `rhai`, or for a Rhai scenario).
pub fn explain(loaded: &Loaded, rhai: bool) -> String {
    let mut out = String::new();
    let Some(py) = loaded.python.as_ref().filter(|_| !rhai) else {
        for (i, step) in loaded.scenario.steps.iter().enumerate() {
            out += &format!("# step {}: {}\n", i + 1, step.title);
            let cell = loaded.python.as_ref().and_then(|p| p.cells.get(i));
            let code = cell.map(|c| c.rhai.as_str()).or(step.run.as_deref()).unwrap_or_default();
            for (n, line) in code.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
                out += &format!("{:>4} | {line}\n", n + 1);
            }
        }
        return out;
    };
    let lines: Vec<&str> = py.text.lines().collect();
    // The lines stepping stops at, with the function each is in.
    let mut stops: BTreeMap<usize, &str> = BTreeMap::new();
    for a in py.all_cells().flat_map(|c| &c.anchors) {
        stops.entry(a.source_line).or_insert(a.function.as_deref().unwrap_or("<module>"));
    }
    for (i, (step, cell)) in loaded.scenario.steps.iter().zip(&py.cells).enumerate() {
        out += &format!("# step {}: {}\n", i + 1, step.title);
        for n in cell.first_line..=cell.last_line.min(lines.len()) {
            let text = lines[n - 1];
            let mark = match stops.get(&n) {
                Some(f) => format!("▶ {f:<14}"),
                None => " ".repeat(16),
            };
            out += &format!("{:>4} {mark} | {text}\n", py.file_pos(n, 1).line);
        }
    }
    out + "\n▶ marks a line where stepping stops (CPython's line events), with the frame it runs in.\n"
}
