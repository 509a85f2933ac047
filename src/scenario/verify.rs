//! `heapscope verify`: run a scenario's Python twin (`python_setup:`, each step's `python:`) on real CPython
//! interpreters and the Rhai steps on the matching profile, then compare what each observes after every step:
//! `sys.getrefcount`, `sys.getsizeof` and `gc.is_tracked` of every bound name, the value of names bound to
//! ints or bools (such as what `gc.collect()` returned), and whether weakrefs are alive. Both sides run a
//! full collection after the setup, so the interpreter's start-up garbage is not found by the steps.
//! `gc.get_count()` and tracemalloc sizes are not compared: the real interpreter allocates on its own.

use super::error::ScenarioError;
use super::load::Loaded;
use crate::cpython::Interpreter as Python;
use crate::heap::Kind;
use crate::script::Interpreter;
use serde_json::{Map, Value, json};
use std::io::Write;
use std::process::Stdio;

/// The `heapscope` module for real CPython (`heapscope.mallocstats()` parsed from `sys._debugmallocstats()`),
/// put beside the scenario so `import heapscope` works there too.
const HEAPSCOPE_MODULE: &str = include_str!("heapscope.py");

/// The harness the Python side runs (`src/scenario/harness.py`).
const HARNESS: &str = include_str!("harness.py");

/// One observed quantity that CPython and heapscope both report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based step.
    pub step: usize,
    /// e.g. `getrefcount(a)`.
    pub what: String,
    /// What CPython printed.
    pub cpython: Value,
    /// What heapscope computed.
    pub heapscope: Value,
    /// Why a difference here is expected (then it is not a mismatch).
    pub note: Option<&'static str>,
}

/// The note on a cached singleton's refcount before 3.12.
const SINGLETON: &str = "cached singleton: CPython's own references to it are not simulated";

impl Row {
    /// Whether the two agree (or differ for a documented reason).
    pub fn matches(&self) -> bool {
        self.note.is_some() || self.cpython == self.heapscope
    }
}

/// Observations after each step: name -> {field -> value}.
type Observations = Vec<Map<String, Value>>;

/// A Python scenario as a script of its own, with the harness's observations between its steps.
fn script(loaded: &Loaded, gc_enabled: bool) -> String {
    let sc = &loaded.scenario;
    let begin = if gc_enabled { "True" } else { "False" };
    let mut text = format!("_HEAPSCOPE_SCRIPT = True\n{HARNESS}\n_heapscope_begin({begin})\n");
    text += sc.python_setup.as_deref().unwrap_or("");
    text += "\n_heapscope_start()\n";
    for step in &sc.steps {
        text += step.python.as_deref().unwrap_or("");
        text += "\n_heapscope_step_done()\n";
    }
    text + "_heapscope_finish()\n"
}

fn run_python(python: &Python, loaded: &Loaded, timeout: std::time::Duration) -> Result<Observations, String> {
    let sc = &loaded.scenario;
    let gc_enabled = sc.gc.as_ref().and_then(|g| g.enabled).unwrap_or(true);
    let spec = json!({
        "setup": sc.python_setup,
        "steps": sc.steps.iter().map(|s| s.python.clone()).collect::<Vec<_>>(),
        "gc_enabled": gc_enabled,
    });
    let mut command = python.command();
    if !python.has_native_layout() {
        // The scenario's asserts may check sizes, which differ on wasm32: compared are the observations.
        command.arg("-O");
    }
    // A Python scenario runs as `python3 f.py` runs it; a Rhai scenario's twin under exec().
    let script_file = match loaded.python.is_some() {
        true => {
            static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // A folder of its own: Pyodide's runner copies the .py files beside the script.
            let dir = std::env::temp_dir().join(format!("heapscope-verify-{}-{n}", std::process::id()));
            let path = dir.join("scenario.py");
            std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&path, script(loaded, gc_enabled)))
                .and_then(|_| std::fs::write(dir.join("heapscope.py"), HEAPSCOPE_MODULE))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            command.arg(&path);
            Some(dir)
        }
        false => {
            command.arg("-c").arg(HARNESS);
            None
        }
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.describe()))?;
    child.stdin.take().expect("piped").write_all(spec.to_string().as_bytes()).map_err(|e| e.to_string())?;
    let out = crate::cpython::output_within(child, timeout).map_err(|e| format!("on {}, {e}", python.describe()));
    if let Some(dir) = script_file {
        let _ = std::fs::remove_dir_all(dir);
    }
    let out = out?;
    if !out.status.success() {
        return Err(format!("the Python twin failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    let steps: Vec<Map<String, Value>> =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("the harness printed no JSON: {e}"))?;
    Ok(steps)
}

/// What the simulator observes after step `i` (same shape as the harness's output).
fn observe(interp: &Interpreter) -> Map<String, Value> {
    let mut obs = Map::new();
    let h = interp.runtime().heap.borrow();
    for (name, id) in interp.bindings() {
        let Ok(o) = h.get(id) else { continue };
        // Functions are not observed (a class is: its refcount counts the descriptors pointing back at it).
        if o.kind() == Kind::Function {
            continue;
        }
        let value = match h.value(id) {
            Ok(Some(crate::heap::Value::Int(i))) if o.kind() != Kind::Float => json!(*i as i64),
            _ => Value::Null,
        };
        let alive =
            if o.kind() == Kind::WeakRef { json!(h.weakref_get(id).ok().flatten().is_some()) } else { Value::Null };
        obs.insert(
            name,
            json!({
                "refcount": h.getrefcount(id).unwrap_or(0),
                "sizeof": h.getsizeof(id).unwrap_or(0),
                "tracked": h.is_tracked(id).unwrap_or(false),
                "value": value,
                "alive": alive,
                "singleton": o.is_static() && !o.is_immortal(),
                "immortal": o.is_immortal(),
            }),
        );
    }
    for (name, value) in interp.plain_bindings() {
        obs.insert(name, json!({ "value": value }));
    }
    obs
}

/// The simulation's observations after each step's script.
struct Simulated(Observations);

impl super::runner::Observer for Simulated {
    fn after_run(&mut self, _: usize, interp: &mut Interpreter) {
        self.0.push(observe(interp));
    }
}

/// Compare one interpreter's run of `loaded` (given `timeout` to finish) with the simulation under its profile.
pub fn verify(loaded: &Loaded, python: &Python, timeout: std::time::Duration) -> Result<Vec<Row>, ScenarioError> {
    if loaded.scenario.steps.iter().all(|s| s.python.is_none()) {
        return Err(loaded.error(None, "no step has a `python:` twin to verify against"));
    }
    let real = run_python(python, loaded, timeout).map_err(|e| loaded.error(None, e))?;
    let mut sim_loaded = loaded.clone();
    sim_loaded.profile = python.version;
    let setup = sim_loaded.scenario.setup.take().unwrap_or_default();
    sim_loaded.scenario.setup = Some(format!("{setup}\ngc::collect();"));
    let mut sim = Simulated(Vec::new());
    super::runner::run_observed(&sim_loaded, None, &mut sim)?;
    let sim = sim.0;
    // A wasm32 Pyodide has other sizes and immortal reference counts (`_Py_IMMORTAL_INITIAL_REFCNT` depends
    // on the pointer size, `Include/refcount.h`).
    let native = python.has_native_layout();
    let mut rows = Vec::new();
    for (i, (r, s)) in real.iter().zip(&sim).enumerate() {
        if loaded.scenario.steps[i].python.is_none() {
            continue;
        }
        for (name, sv) in s {
            let Some(rv) = r.get(name) else { continue };
            for field in ["value", "alive", "refcount", "sizeof", "tracked"] {
                let (Some(a), Some(b)) = (rv.get(field), sv.get(field)) else { continue };
                if a.is_null() || b.is_null() {
                    continue;
                }
                let immortal = sv.get("immortal").and_then(Value::as_bool).unwrap_or(false);
                if !native && (field == "sizeof" || (field == "refcount" && immortal)) {
                    continue;
                }
                let what = match field {
                    "value" => name.clone(),
                    "alive" => format!("{name}() is not None"),
                    "refcount" => format!("sys.getrefcount({name})"),
                    "sizeof" => format!("sys.getsizeof({name})"),
                    _ => format!("gc.is_tracked({name})"),
                };
                let singleton = sv.get("singleton").and_then(Value::as_bool).unwrap_or(false);
                let note = (field == "refcount" && singleton && a != b).then_some(SINGLETON);
                rows.push(Row { step: i + 1, what, cpython: a.clone(), heapscope: b.clone(), note });
            }
        }
    }
    Ok(rows)
}

/// The side-by-side table, mismatches marked `!!`.
pub fn render(rows: &[Row], header: &str) -> String {
    let mut out = format!("{header}\n{:<6}{:<34}{:>14}{:>14}\n", "step", "observed", "CPython", "heapscope");
    for r in rows {
        let mark = match (r.note, r.matches()) {
            (Some(n), _) => format!("   (differs: {n})"),
            (None, true) => String::new(),
            (None, false) => "   !! mismatch".into(),
        };
        out +=
            &format!("{:<6}{:<34}{:>14}{:>14}{mark}\n", r.step, r.what, r.cpython.to_string(), r.heapscope.to_string());
    }
    let bad = rows.iter().filter(|r| !r.matches()).count();
    out += &format!("{} observations, {bad} mismatches\n", rows.len());
    out
}
