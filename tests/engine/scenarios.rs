//! Scenario files through the real binary: every malformed fixture fails with its position and a plain
//! message; valid ones pass; the headless report is pinned by snapshots.

use std::path::Path;
use std::process::Command;

fn heapscope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn every_malformed_scenario_fails_at_its_position() {
    let table =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/EXPECTED.tsv"))
            .expect("the fixture table");
    let mut n = 0;
    for row in table.lines().filter(|l| !l.starts_with('#')) {
        let [name, line, message]: [&str; 3] = row.split('\t').collect::<Vec<_>>().try_into().expect("3 columns");
        let file = format!("tests/fixtures/invalid/{name}.yaml");
        let (code, out, err) = heapscope(&["run", "--headless", &file]);
        if name == "failed_expectation" || name == "mutating_expect" {
            // A failed expectation is a test failure (1), reported with both sides, not bad input.
            assert_eq!(code, 1, "{name}: {out}{err}");
            assert!(out.contains("FAIL") && out.contains(message), "{name}: {out}");
            continue;
        }
        assert_eq!(code, 2, "{name} exits 2 (bad input): {out}{err}");
        let first = err.lines().next().unwrap_or("");
        assert!(first.starts_with(&format!("{file}:{line}:")), "{name}: wanted {file}:{line}:col, got {first:?}");
        assert!(first.contains(message), "{name}: {first:?} should say {message:?}");
        assert!(err.lines().any(|l| l.trim_end().ends_with('^')), "{name}: a caret under the column:\n{err}");
        n += 1;
    }
    assert!(n >= 23, "{n} malformed fixtures checked");
}

#[test]
fn valid_scenarios_check_and_pass() {
    let (code, out, err) =
        heapscope(&["check", "tests/fixtures/valid/classic-cycle.yaml", "tests/fixtures/valid/run_file.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = heapscope(&["test", "tests/fixtures/valid"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("2 passed, 0 failed\n"), "{out}");
    let (code, out, _) = heapscope(&["test", "tests/fixtures/valid", "--profile", "3.8"]);
    assert_eq!(code, 0, "expectations written for every version hold on 3.8 too: {out}");
}

#[test]
fn the_test_command_counts_failures_and_exits_1() {
    let (code, out, _) = heapscope(&["test", "tests/fixtures/invalid/failed_expectation.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("failed_expectation.yaml:8: [one] sys::getrefcount(a) == 3 (left 2 == right 3)"), "{out}");
    assert!(out.ends_with("0 passed, 1 failed\n"));
}

#[test]
fn the_headless_report_reads_as_pinned() {
    let (code, text, _) = heapscope(&["run", "--headless", "scenarios/classic-cycle.yaml"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("classic_cycle_text", text);
    let (code, json, _) =
        heapscope(&["run", "--headless", "--format", "json", "--profile", "3.10", "scenarios/classic-cycle.yaml"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("classic_cycle_json_3_10", json);
}
