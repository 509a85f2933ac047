//! Scenario files through the real binary: every malformed fixture fails with its position and a plain
//! message; valid ones pass; the headless report is pinned by snapshots.

use std::path::Path;

use crate::support::heapscope;

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
    assert!(n >= 30, "{n} malformed fixtures checked");
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

/// fragmentation.py's report says, per step, where the bytes held are and, once survivors pin arenas,
/// which objects do; the JSON parts add up to held, and the pinned arenas' owners are the survivors.
#[test]
fn the_report_shows_the_ledger_and_what_pins_the_arenas() {
    let (code, text, err) = heapscope(&["run", "--headless", "scenarios/fragmentation.py"]);
    assert_eq!(code, 0, "{err}");
    let memory: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("memory: held ")).collect();
    assert_eq!(memory.len(), 4, "a memory line per step:\n{text}");
    assert!(memory[2].contains(" + free in pools 4.7 MiB"), "{}", memory[2]);
    let kept = &text[text.find("Step 3/4").unwrap()..text.find("Step 4/4").unwrap()];
    assert!(kept.contains("8 arenas hold live blocks that would fit in 1; the sparsest:"), "{kept}");
    let line = kept.lines().find(|l| l.contains("arena 7 (1.0 MiB) kept by 4 live blocks: #")).expect(kept);
    assert!(line.contains(" bytes (survivors[296]), #"), "each owner named by who holds it: {line}");
    let last = &text[text.find("Step 4/4").unwrap()..];
    assert!(last.contains("free arenas 1.0 MiB: wholly free, yet kept mapped"), "{last}");
    assert!(!last.contains("the sparsest"), "no fragmentation left: {last}");
    let (_, text38, _) = heapscope(&["run", "--headless", "--profile", "3.8", "scenarios/fragmentation.py"]);
    assert!(!text38.contains("free arenas"), "3.8 returns every free arena:\n{text38}");

    let (code, json, _) = heapscope(&["run", "--headless", "--format", "json", "scenarios/fragmentation.py"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    for step in report["steps"].as_array().unwrap() {
        let m = &step["memory"];
        let sum: u64 = m["parts"].as_array().unwrap().iter().map(|p| p["bytes"].as_u64().unwrap()).sum();
        assert_eq!(sum, m["held"].as_u64().unwrap(), "the parts add up: {m}");
    }
    let m = &report["steps"][2]["memory"];
    assert_eq!(m["fragmented"], true);
    let sparsest = &m["pinned"][0];
    assert_eq!(sparsest["arena"], 7, "{sparsest}");
    let owners: Vec<u64> = sparsest["objects"].as_array().unwrap().iter().map(|id| id.as_u64().unwrap()).collect();
    let every_100th = owners.windows(2).all(|w| w[1] - w[0] == 100);
    assert!(owners.len() == 4 && every_100th, "the survivors, one every hundred objects: {owners:?}");
}

#[test]
fn export_writes_the_graph_and_the_state() {
    let (code, dot, err) = heapscope(&["export", "scenarios/classic-cycle.yaml", "--step", "3", "--format", "dot"]);
    assert_eq!(code, 0, "{err}");
    assert!(dot.starts_with("digraph heap {"));
    assert!(dot.contains("[label=\"Node\\nrefcount 2\\ngen 0\"]"), "both nodes are held only by each other:\n{dot}");
    assert!(dot.contains("[style=dashed, label=\"weak\"]"), "the weakref's edge is dashed");
    assert!(dot.contains("label=\"class Node"));
    let (code, json, _) = heapscope(&["export", "scenarios/classic-cycle.yaml", "--format", "json"]);
    assert_eq!(code, 0);
    let state: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(state["profile"], "3.13");
    assert!(state["objects"].as_array().unwrap().iter().all(|o| o["type"] != "Node"), "the cycle is gone at the end");
    assert!(state["memory"]["held"].as_u64().unwrap() >= 1 << 18, "the ledger is exported: {}", state["memory"]);
    let (code, _, err) = heapscope(&["export", "scenarios/classic-cycle.yaml", "--step", "9"]);
    assert_eq!(code, 2);
    assert!(err.contains("--step must be between 1 and 4"), "{err}");
}

#[test]
fn test_writes_junit_xml() {
    let out = std::env::temp_dir().join(format!("heapscope-junit-{}.xml", std::process::id()));
    let path = out.to_string_lossy().to_string();
    let (code, _, _) = heapscope(&[
        "test",
        "tests/fixtures/valid",
        "tests/fixtures/invalid/failed_expectation.yaml",
        "--junit",
        &path,
    ]);
    assert_eq!(code, 1);
    let xml = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(xml.contains("<testsuite name=\"heapscope\" tests=\"3\" failures=\"1\" errors=\"0\">"), "{xml}");
    assert!(xml.contains("<failure message=\"tests/fixtures/invalid/failed_expectation.yaml:8: [one]"), "{xml}");
}

#[test]
fn the_bundled_scenarios_pass_on_every_profile() {
    for v in ["3.8", "3.10", "3.11", "3.12", "3.13", "3.14"] {
        let (code, out, err) = heapscope(&["test", "scenarios", "--profile", v]);
        assert_eq!(code, 0, "{v}:\n{out}{err}");
        let all = crate::support::bundled_scenarios().len();
        assert!(out.trim_end().ends_with(&format!("{all} passed, 0 failed")), "{v}: {out}");
    }
}

#[test]
fn verify_compares_twins_with_every_local_cpython() {
    let (pyodide, missing) = heapscope::cpython::find_pyodide();
    missing.iter().for_each(|m| println!("SKIP {m}"));
    let found: Vec<_> = heapscope::cpython::find_interpreters().into_iter().chain(pyodide).collect();
    if found.is_empty() {
        println!("SKIP verify: no supported CPython on this machine");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut twinned = 0;
    for path in crate::support::bundled_scenarios() {
        // A Python scenario is its own twin.
        let is_python = path.extension().is_some_and(|e| e == "py");
        if !is_python && !std::fs::read_to_string(&path).unwrap().contains("python:") {
            continue;
        }
        let file = path.strip_prefix(root).unwrap().to_string_lossy().to_string();
        let (code, out, err) = heapscope(&["verify", &file]);
        assert_eq!(code, 0, "{file}:\n{out}{err}");
        assert_eq!(out.matches(" 0 mismatches").count(), found.len(), "{file}:\n{out}");
        // The closing table: one row per interpreter, each agreeing.
        assert_eq!(out.matches("  agrees").count(), found.len(), "{file}:\n{out}");
        twinned += 1;
    }
    assert!(twinned >= 5, "{twinned} scenarios have Python twins");
    let (_, out, _) = heapscope(&["verify", "scenarios/classic-cycle.yaml"]);
    assert!(out.contains("n                    "), "what gc.collect() returned is compared:\n{out}");
    let (code, out, _) = heapscope(&["verify", "tests/fixtures/verify/mismatch.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("sys.getrefcount(a)") && out.contains("!! mismatch"), "{out}");
    assert!(out.contains("DIFFERS"), "the closing table names the interpreters that differ:\n{out}");
    let (code, _, err) = heapscope(&["verify", "tests/fixtures/valid/run_file.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("no step has a `python:` twin"), "{err}");
}

#[test]
fn tracemalloc_names_the_yaml_line_of_an_allocation_made_in_a_setup_function() {
    // `r.body = bytes(200);` is line 12 of the file, inside a function the setup defines and step 2 calls.
    let (code, out, err) = heapscope(&["run", "--headless", "scenarios/tracemalloc-leak.yaml"]);
    assert_eq!(code, 0, "{err}");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tracemalloc-leak.yaml")).unwrap();
    assert_eq!(text.lines().nth(11).map(str::trim), Some("r.body = bytes(200);"));
    assert!(out.contains("| tracemalloc-leak.yaml:12: size="), "{out}");
}
