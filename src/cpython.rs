//! Finding the real CPython interpreters on this machine, to check the simulator against them: native builds
//! (pyenv, `python3.X` on `PATH`) and Pyodide's WebAssembly builds under node (`tests/oracles/`).

use crate::heap::PyVersion;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A local interpreter and the profile it corresponds to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    /// The profile whose facts it should reproduce.
    pub version: PyVersion,
    /// The executable (for Pyodide, the runner script `tests/oracles/run.mjs`).
    pub path: PathBuf,
    /// How it runs.
    pub runner: Runner,
}

/// How an interpreter is started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runner {
    /// A 64-bit CPython with pymalloc, like the ones the profiles describe: every fact can be compared.
    Native,
    /// Pyodide under node, from the npm package named here (`pyodide-314`): a wasm32 build without pymalloc,
    /// so sizes, addresses and allocator statistics differ from 64-bit Linux; only layout-free facts
    /// (collection results, counts, tracking, reference counts, finalizer order) can be compared.
    Pyodide {
        /// The package's folder name under `tests/oracles/node_modules`.
        package: &'static str,
    },
}

impl Interpreter {
    /// A command that runs it; add the script (or `-c CODE`) and its arguments.
    pub fn command(&self) -> Command {
        match self.runner {
            Runner::Native => Command::new(&self.path),
            Runner::Pyodide { package } => {
                let mut c = Command::new("node");
                c.arg(&self.path).arg(package);
                c
            }
        }
    }

    /// Whether object sizes and allocator numbers can be compared with it (not on Pyodide).
    pub fn has_native_layout(&self) -> bool {
        self.runner == Runner::Native
    }

    /// How it is named in reports: its path, or `Pyodide 3.14.2`.
    pub fn describe(&self) -> String {
        match self.runner {
            Runner::Native => self.path.display().to_string(),
            Runner::Pyodide { package } => {
                let release = PYODIDE.iter().find(|(p, _)| *p == package).map_or("?", |(_, r)| r);
                format!("Pyodide {release} (node, {package})")
            }
        }
    }
}

/// The Pyodide packages `tests/oracles/package.json` pins and the CPython release each ships [obs:
/// `sys.version` under node: pyodide@314.0.8 is 3.14.2, pyodide@315.0.0-alpha.2 is 3.15.0rc1].
const PYODIDE: [(&str, &str); 2] = [("pyodide-314", "3.14.2"), ("pyodide-315", "3.15.0rc1")];

/// Where the oracles are installed: `$HEAPSCOPE_ORACLES`, else this source tree's `tests/oracles`.
fn oracles_dir() -> PathBuf {
    std::env::var_os("HEAPSCOPE_ORACLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles"))
}

/// The Pyodide interpreters that can run here: node on `PATH` and the package installed (`npm ci` in
/// `tests/oracles`). Each missing one is named in the returned notices.
pub fn find_pyodide() -> (Vec<Interpreter>, Vec<String>) {
    let dir = oracles_dir();
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for (package, release) in PYODIDE {
        let version = PyVersion::of_release(release).expect("a simulated release");
        let installed = dir.join("node_modules").join(package).join("pyodide.mjs").is_file();
        if node && installed {
            found.push(Interpreter { version, path: dir.join("run.mjs"), runner: Runner::Pyodide { package } });
        } else {
            let why = if node { "not installed (npm ci in tests/oracles)" } else { "node is not on PATH" };
            missing.push(format!("Pyodide {release} ({version}): {why}"));
        }
    }
    (found, missing)
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
            found.push(Interpreter { version, path, runner: Runner::Native });
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

/// The output of `child`, which is given `limit` to finish: past it, it is killed and the run is an error
/// (the code a scenario runs on a real interpreter is a stranger's, and may never end).
pub fn output_within(
    mut child: std::process::Child,
    limit: std::time::Duration,
) -> Result<std::process::Output, String> {
    use std::io::Read;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("it ran longer than {} s and was stopped (raise it with --timeout)", limit.as_secs()));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (stdout, stderr) = (stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default());
    Ok(std::process::Output { status, stdout, stderr })
}

#[cfg(test)]
mod tests {
    #[test]
    fn found_interpreters_report_their_own_version() {
        let (pyodide, missing) = super::find_pyodide();
        missing.iter().for_each(|m| println!("SKIP {m}"));
        for i in super::find_interpreters().into_iter().chain(pyodide) {
            let code = "import platform; print('Python', platform.python_version())";
            let out = i.command().arg("-c").arg(code).output().expect("runs");
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            let release = text.trim().strip_prefix("Python ").expect("prints its version");
            assert_eq!(super::PyVersion::of_release(release), Some(i.version), "{}: {text}", i.path.display());
        }
    }
}
