//! The `heapscope` binary as a user runs it.

use std::process::Command;

fn heapscope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope")).args(args).output().expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn profiles_lists_every_version_and_where_its_facts_come_from() {
    let (code, out, _) = heapscope(&["profiles"]);
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.starts_with("3.8 ") && l.contains("256K") && l.contains("64")), "{out}");
    let row = |name: &str| out.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or("").to_string();
    for v in heapscope::heap::PyVersion::ALL {
        assert!(!row(v.as_str()).is_empty(), "{v} is listed:\n{out}");
    }
    assert!(row("3.9").contains("4K") && row("3.9").contains("CPython 3.9.18"), "{out}");
    assert!(row("3.14.0").contains("incremental") && row("3.14.0").contains("source only"), "{out}");
    assert!(row("3.14.1-3.14.4").contains("incremental") && row("3.14.1-3.14.4").contains("Pyodide 3.14.2"));
    assert!(row("3.14.5+").contains("generational") && row("3.14.5+").contains("2000, 10, 10"), "{out}");
    assert!(row("3.15").contains("Pyodide 3.15.0rc1") && row("3.15").contains("always"), "{out}");
    // A release resolves to the behaviour it falls in.
    for (release, profile) in [("3.14.2", "3.14.1-3.14.4"), ("3.14", "3.14.5+"), ("3.14.0", "3.14.0")] {
        let (code, out, err) = heapscope(&["run", "--headless", "--profile", release, "scenarios/refcounts.py"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.starts_with(&format!("refcounts (CPython {profile})")), "{release}: {out}");
    }
}

#[test]
fn mallocstats_prints_cpythons_layout() {
    let (code, out, _) = heapscope(&["mallocstats", "--profile", "3.8"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Small block threshold = 512, in 32 size classes."), "{out}");
    assert!(out.contains("# arenas allocated total           =                    0"));
    assert!(out.contains("free PyCFunctionObjects"), "3.8's free-list lines");
}

#[test]
fn an_unknown_profile_is_a_usage_error_naming_the_known_ones() {
    let (code, _, err) = heapscope(&["mallocstats", "--profile", "3.7"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown CPython profile `3.7` (known: 3.8, 3.9"), "{err}");
}

#[test]
fn the_view_needs_a_terminal_and_says_what_to_use_instead() {
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/classic-cycle.yaml");
    let (code, out, err) = heapscope(&["run", scenario]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("the interactive view needs a terminal") && err.contains("--headless"), "{err}");
}

#[test]
fn a_broken_script_is_reported_at_its_position_before_the_view_opens() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/invalid/parse_error.yaml");
    let (code, _, err) = heapscope(&["run", file]);
    assert_eq!(code, 2);
    assert!(err.contains("parse_error.yaml:6:") && err.contains("syntax error"), "{err}");
}
