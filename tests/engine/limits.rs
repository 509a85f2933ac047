//! Nothing a scenario does can hang heapscope, take the machine's memory or crash it: each limit reproduced
//! on the real binary, with the message that names it.

use std::process::{Command, Stdio};

/// Run the binary on a scenario written to a temporary file `name`, with `args` before the file.
fn run(name: &str, text: &str, args: &[&str]) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("heapscope-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let mut all: Vec<&str> = args.to_vec();
    let p = path.to_string_lossy().to_string();
    all.push(&p);
    crate::support::heapscope(&all)
}

fn rhai(run: &str) -> String {
    format!("name: limits\nsteps:\n  - title: t\n    run: |\n      {run}\n")
}

#[test]
fn loops_inside_builtins_closures_and_callbacks_are_charged_to_one_budget() {
    let cases = [
        "let x = sum(range(9223372036854775807));",
        "let x = items(range(100000000));",
        "let n = 0; let l = list_of(range(3000000), |i| { for j in 0..20 { n += 1; } 0 });",
        "let x = sum(gen(range(9223372036854775807), |i| i));",
        "let cb = (); cb = |p, i| { gc::add_callback(cb); }; gc::add_callback(cb); loop { gc::collect(); }",
    ];
    for script in cases {
        let (code, _, err) = run("budget.yaml", &rhai(script), &["run", "--headless", "--max-operations", "200000"]);
        assert_eq!(code, 2, "{script}: {err}");
        assert!(err.contains("budget of 200,000 operations") && err.contains("--max-operations"), "{script}: {err}");
    }
    // In an expectation too, and in Python.
    let expect =
        "name: x\nsteps:\n  - title: t\n    run: |\n      let a = 1;\n    expect:\n      - sum(range(100000000)) > 0\n";
    let (code, _, err) = run("expect.yaml", expect, &["run", "--headless", "--max-operations", "100000"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expect.yaml:7:") && err.contains("budget of 100,000"), "{err}");
    let (code, _, err) =
        run("spin.py", "x = 0\nwhile True:\n    x += 1\n", &["run", "--headless", "--max-operations", "100000"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("spin.py:3:") && err.contains("budget of 100,000"), "{err}");
}

#[test]
fn the_budget_decides_at_the_same_operation_every_time_and_the_scenario_can_raise_it() {
    let script = "let l = list(); for i in 0..1000000 { l.append(i); }";
    let text = format!("name: x\nlimits:\n  operations: 300000\nsteps:\n  - title: t\n    run: |\n      {script}\n");
    let runs: Vec<String> = (0..3).map(|_| run("same.yaml", &text, &["run", "--headless"]).2).collect();
    assert!(runs[0].contains("budget of 300,000 operations"), "{}", runs[0]);
    assert!(runs.iter().all(|r| *r == runs[0]), "the same error every run: {runs:?}");
    let (code, _, err) = run("same.yaml", &text, &["run", "--headless", "--max-operations", "100000000"]);
    assert_eq!(code, 0, "the command line raises the file's limit: {err}");
}

#[test]
fn the_print_log_is_bounded_and_says_so() {
    let script = "let s = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"; for i in 0..200000 { print(s); }";
    let (code, out, err) = run("print.yaml", &rhai(script), &["run", "--headless"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.len() < 6 << 20, "the report holds the kept part only: {} bytes", out.len());
    assert!(out.contains("keeps the first 4 MiB of a run's output"), "{}", &out[out.len() - 300..]);
}

#[test]
fn a_heap_limit_beyond_the_host_limit_is_refused_at_its_line() {
    let text = "name: x\nheap_limit: 18446744073709551615\nsteps:\n  - title: t\n    run: |\n      let l = list([1]); for i in 0..40 { l.extend(l); }\n";
    let (code, _, err) = run("huge.yaml", text, &["run", "--headless"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("huge.yaml:2:1") && err.contains("more than heapscope can simulate"), "{err}");
}

#[test]
fn a_dict_with_forty_thousand_int_keys_fits_the_default_budget() {
    // Inserting was a scan of every key: 40,000 keys did not finish in 10 s. The operations are the same
    // either way, so this checks the result and that the default budget is enough.
    let (code, out, err) = run(
        "dict.py",
        "d = {}\nfor i in range(40000):\n    d[i] = i\nprint(len(d), d[39999])\n",
        &["run", "--headless", "--format", "stdout"],
    );
    assert_eq!((code, out.as_str()), (0, "40000 39999\n"), "{err}");
}

#[test]
fn output_that_cannot_be_written_ends_with_a_message_and_status_3() {
    let bin = env!("CARGO_BIN_EXE_heapscope");
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        for args in [&["profiles"][..], &["run", "--headless", "scenarios/classic-cycle.yaml"], &["--help"]] {
            let out = Command::new(bin)
                .args(args)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .stdout(full.try_clone().unwrap())
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
            assert!(err.contains("cannot write the output") && !err.contains("panicked"), "{args:?}: {err}");
        }
    } else {
        println!("skipped: no /dev/full here");
    }
    // A reader that goes away at once: the report is written into a closed pipe.
    let mut child = Command::new(bin)
        .args(["run", "--headless", "scenarios/fragmentation.py"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("broken pipe") && !err.contains("panicked"), "{err}");
}

#[test]
fn escape_sequences_from_a_scenario_are_shown_not_sent() {
    let text = "name: \"\\x1b]0;retitled\\x07 x\"\nsteps:\n  - title: \"\\x1b[2J t\"\n    run: |\n      print(\"\\x1b[31mred\");\n";
    let (code, out, err) = run("esc.yaml", text, &["run", "--headless"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains('\x1b') && out.contains("\\x1b]0;retitled\\x07") && out.contains("| \\x1b[31mred"), "{out}");
    // Exactly what Python prints, when it goes to a file: unchanged.
    let (_, out, _) = run("esc.py", "print('\\x1b[31mred')\n", &["run", "--headless", "--format", "stdout"]);
    assert_eq!(out, "\x1b[31mred\n");
}

#[test]
fn nothing_to_check_is_not_a_pass() {
    let dir = std::env::temp_dir().join(format!("heapscope-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (code, _, err) = crate::support::heapscope(&["test", &dir.to_string_lossy()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing was tested"), "{err}");
    let (code, out, err) =
        crate::support::heapscope(&["verify", "scenarios/refcounts.py", "--python", "/nonexistent/python3"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("nothing was compared"), "{err}");
    let (_, help, _) = crate::support::heapscope(&["verify", "--help"]);
    assert!(help.contains("with your rights"), "{help}");
}

#[test]
fn a_python_twin_that_never_ends_is_stopped() {
    let Some(python) = crate::support::interpreters().into_iter().next() else {
        println!("skipped: no CPython here to run the twin on");
        return;
    };
    let p = python.path.to_string_lossy().to_string();
    let (code, _, err) =
        run("forever.py", "x = 0\nwhile True:\n    x += 1\n", &["verify", "--timeout", "2", "--python", &p]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ran longer than 2 s and was stopped"), "{err}");
}

#[test]
fn numbers_are_never_silently_wrong() {
    let cases = [
        ("print(int(5) / int(0));", "ZeroDivisionError: division by zero"),
        ("gc::set_threshold(1099511627776, 10, 10);", "OverflowError: signed integer is greater than maximum"),
        ("print(sys::getsizeof(bytes(4294967295)));", "MemoryError"),
        ("let m = int(9223372036854775807); let x = m * m * m;", "OverflowError"),
        ("print(int(170141183460469231731687303715884105727));", "an integer literal beyond 64 bits"),
    ];
    for (script, want) in cases {
        let (code, _, err) = run("numbers.yaml", &rhai(script), &["run", "--headless"]);
        assert_eq!(code, 2, "{script}: {err}");
        assert!(err.contains("numbers.yaml:5:") && err.contains(want), "{script}: {err}");
    }
    let (_, out, err) = run(
        "big.yaml",
        &rhai("print(int(4611686018427387904) * int(4)); print(sum(list([9223372036854775807, 1])));"),
        &["run", "--headless"],
    );
    assert!(out.contains("| 18446744073709551616") && out.contains("| 9223372036854775808"), "{out}{err}");
}

#[test]
fn a_text_bigger_than_the_heap_is_a_memory_error_before_it_is_made() {
    // One 1 MB str held 100,000 times: a 100 GB repr from a 2 MB heap.
    let py = "s = 'x' * 1000000\nl = [s] * 100000\nprint(len(l))\nprint(l)\n";
    let (code, out, err) = run("repr.py", py, &["run", "--headless"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("line 4") && err.contains("MemoryError"), "{err}");
    // Rhai's print cannot fail: it says what happened instead of the text.
    let (code, out, err) = run(
        "repr.yaml",
        &rhai("let s = str(\"x\") * 1000000; let l = list([s]) * 100000; print(l);"),
        &["run", "--headless"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("| <MemoryError: allocating"), "{out}");
}

#[test]
fn under_ulimit_v_a_run_ends_with_the_host_limit_message_not_an_abort() {
    // The host limit defaults to three quarters of the address space allowed, and the default simulated heap
    // shrinks to fit it: a normal scenario still runs, a runaway one gets the message.
    let bin = env!("CARGO_BIN_EXE_heapscope");
    let dir = std::env::temp_dir().join(format!("heapscope-ulimit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let runaway = dir.join("runaway.yaml");
    std::fs::write(&runaway, rhai("let x = items(range(100000000));")).unwrap();
    let sh = |file: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v 800000 && exec {bin} run --headless {file}"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = sh("scenarios/classic-cycle.yaml");
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, _, err) = sh(&runaway.to_string_lossy());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("heapscope itself needed more than") && !err.contains("memory allocation"), "{err}");
}

#[test]
fn a_standard_error_that_cannot_be_written_does_not_panic_either() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        println!("skipped: no /dev/full here");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args(["check", "/nonexistent/scenario.yaml"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "bad input, said as well as it can be");
}
