//! Finding the real CPython interpreters on this machine, to check the simulator against them.

use crate::heap::PyVersion;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A local interpreter and the profile it corresponds to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    /// The profile whose facts it should reproduce.
    pub version: PyVersion,
    /// The executable.
    pub path: PathBuf,
}

/// The pyenv root: `$PYENV_ROOT`, else `pyenv root`, else `~/.pyenv`.
fn pyenv_root() -> Option<PathBuf> {
    if let Some(r) = std::env::var_os("PYENV_ROOT") {
        return Some(r.into());
    }
    let out = Command::new("pyenv").arg("root").output().ok().filter(|o| o.status.success());
    out.map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")))
}

/// One interpreter per supported version, preferring pyenv's builds, then `python3.X` on `PATH`.
pub fn find_interpreters() -> Vec<Interpreter> {
    let mut found = Vec::new();
    let versions_dir = pyenv_root().map(|r| r.join("versions"));
    for version in PyVersion::ALL {
        let exe = format!("python{}", version.as_str());
        let from_pyenv = versions_dir.as_ref().and_then(|dir| {
            let mut candidates: Vec<PathBuf> = std::fs::read_dir(dir)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&format!("{}.", version.as_str())))
                })
                .map(|p| p.join("bin").join(&exe))
                .filter(|p| p.is_file())
                .collect();
            candidates.sort();
            candidates.pop()
        });
        let on_path = || {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(&exe))
                    .find(|p| p.is_file() && !p.to_string_lossy().contains("shims"))
            })
        };
        if let Some(path) = from_pyenv.or_else(on_path) {
            found.push(Interpreter { version, path });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn found_interpreters_report_their_own_version() {
        for i in super::find_interpreters() {
            let out = std::process::Command::new(&i.path).arg("-V").output().expect("runs");
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(text.contains(&format!("Python {}.", i.version)), "{}: {text}", i.path.display());
        }
    }
}
