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

/// One interpreter per supported series (3.8, 3.9, ..., 3.15), preferring pyenv's newest build of it, then
/// `python3.X` on `PATH`; each is matched to the profile of its release (a 3.14.2 to 3.14.1-3.14.4).
pub fn find_interpreters() -> Vec<Interpreter> {
    let mut found: Vec<Interpreter> = Vec::new();
    let versions_dir = pyenv_root().map(|r| r.join("versions"));
    let mut series: Vec<String> = PyVersion::ALL.iter().map(|v| v.series()).collect();
    series.dedup();
    for series in series {
        let exe = format!("python{series}");
        let from_pyenv = versions_dir.as_ref().and_then(|dir| {
            let mut candidates: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter_map(|p| {
                    let release = p.file_name()?.to_str()?.to_string();
                    let exe = p.join("bin").join(&exe);
                    (release.starts_with(&format!("{series}.")) && exe.is_file()).then_some((release, exe))
                })
                .collect();
            candidates.sort_by_key(|(release, _)| release_key(release));
            candidates.pop()
        });
        let on_path = || {
            let paths = std::env::var_os("PATH")?;
            let path = std::env::split_paths(&paths)
                .map(|d| d.join(&exe))
                .find(|p| p.is_file() && !p.to_string_lossy().contains("shims"))?;
            Some((reported_release(&path)?, path))
        };
        if let Some((release, path)) = from_pyenv.or_else(on_path)
            && let Some(version) = PyVersion::of_release(&release)
        {
            found.push(Interpreter { version, path });
        }
    }
    found
}

/// Sort key of a release name like `3.14.10`: numerically, part by part.
fn release_key(release: &str) -> Vec<u32> {
    release
        .split('.')
        .map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0))
        .collect()
}

/// The release an interpreter reports (`python3.14 -V` prints `Python 3.14.2`).
fn reported_release(exe: &Path) -> Option<String> {
    let out = Command::new(exe).arg("-V").output().ok()?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Some(text.trim().strip_prefix("Python ")?.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn found_interpreters_report_their_own_version() {
        for i in super::find_interpreters() {
            let out = std::process::Command::new(&i.path).arg("-V").output().expect("runs");
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            let release = text.trim().strip_prefix("Python ").expect("prints its version");
            assert_eq!(super::PyVersion::of_release(release), Some(i.version), "{}: {text}", i.path.display());
        }
    }
}
