//! `heapscope verify`: the scenario's Python on every real interpreter found (or given), compared with the
//! simulation step by step; nothing compared is never a pass.

use super::BAD_INPUT;
use super::output::{errln, out, outln};
use crate::heap::PyVersion;
use crate::scenario;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The CPython version of an interpreter given on the command line, if heapscope has a profile for it.
fn interpreter_at(path: &Path) -> Result<crate::cpython::Interpreter, String> {
    let out = std::process::Command::new(path)
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let version = v
        .parse::<PyVersion>()
        .map_err(|_| format!("{} is CPython {v}, which heapscope does not simulate", path.display()))?;
    Ok(crate::cpython::Interpreter { version, path: path.to_path_buf(), runner: crate::cpython::Runner::Native })
}

/// `heapscope verify`: each interpreter's run against the simulation, then a table of who agrees.
pub(super) fn verify(file: &Path, pythons: Vec<PathBuf>, timeout: u64) -> ExitCode {
    let loaded = match scenario::load(file) {
        Ok(l) => l,
        Err(e) => {
            errln!("{e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    let interpreters = if pythons.is_empty() {
        let (pyodide, missing) = crate::cpython::find_pyodide();
        let found: Vec<_> = crate::cpython::find_interpreters().into_iter().chain(pyodide).collect();
        for v in PyVersion::ALL.iter().filter(|v| !found.iter().any(|i| i.version == **v)) {
            outln!("note: no CPython {v} found (pyenv, python{} on PATH, or Pyodide): not verified", v.series());
        }
        missing.iter().for_each(|m| outln!("note: {m}"));
        found
    } else {
        pythons.iter().filter_map(|p| interpreter_at(p).map_err(|e| outln!("note: {e}")).ok()).collect()
    };
    if interpreters.is_empty() {
        errln!("heapscope: no CPython to verify against, so nothing was compared (see the notes above)");
        return ExitCode::from(BAD_INPUT);
    }
    let mut summary = Vec::new();
    for python in &interpreters {
        match scenario::verify::verify(&loaded, python, std::time::Duration::from_secs(timeout)) {
            Ok(rows) => {
                let header = format!("{} on {} (profile {})", file.display(), python.describe(), python.version);
                out!("{}", scenario::verify::render(&rows, &header));
                summary.push((python, rows.len(), rows.iter().filter(|r| !r.matches()).count()));
            }
            Err(e) => {
                errln!("{e}");
                return ExitCode::from(BAD_INPUT);
            }
        }
    }
    let width = summary.iter().map(|(p, ..)| p.describe().len() + 2).max().unwrap_or(0).max(13);
    outln!("\n{:<width$}{:<15}{:>9}{:>8}", "interpreter", "profile", "compared", "differ");
    for (python, compared, differ) in &summary {
        let verdict = match (compared, differ) {
            (0, _) => "NOTHING COMPARED",
            (_, 0) => "agrees",
            _ => "DIFFERS",
        };
        let scope = if python.has_native_layout() { "" } else { " (wasm32: no sizes, immortal refcounts or asserts)" };
        let (name, profile) = (python.describe(), python.version.as_str());
        outln!("{name:<width$}{profile:<15}{compared:>9}{differ:>8}  {verdict}{scope}");
    }
    if summary.iter().any(|(_, compared, differ)| *differ > 0 || *compared == 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
