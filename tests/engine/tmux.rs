//! The TUI in a real terminal: the binary runs under tmux, keys go in with `send-keys`, the screen comes back
//! with `capture-pane`. Skipped, saying so, where tmux is not installed.

use std::process::Command;
use std::time::{Duration, Instant};

struct Session(String);

impl Session {
    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &self.0])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", &self.0, k]);
            // An escape followed at once by a key reads as Alt+key.
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    #[track_caller]
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "never saw {text:?}; the screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.0]).output();
    }
}

#[test]
fn the_view_steps_forwards_and_back_in_a_real_terminal_and_restores_it() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed, so the real-terminal test cannot run");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_heapscope");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/classic-cycle.yaml");
    // After the view, the shell prints the exit status and the terminal's line discipline (raw mode clears
    // icanon and echo; a restored terminal has both).
    let script = format!(
        "{bin} run {scenario}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; \
         echo; echo MODES-END; sleep 60"
    );
    let s = Session(format!("heapscope-test-{}", std::process::id()));
    let made = Command::new("tmux")
        .args(["new-session", "-d", "-s", &s.0, "-x", "100", "-y", "30", "sh", "-c", &script])
        .status()
        .expect("tmux starts");
    assert!(made.success());
    let first = s.wait_for("step 1/4 · line 22");
    assert!(first.contains("▶22 let a = Node.create();"), "{first}");
    assert!(first.contains("Objects · 7 live"), "{first}");
    s.keys(&["l"]);
    s.wait_for("step 1/4 · line 23");
    s.keys(&["l", "l"]);
    let second = s.wait_for("step 2/4 · line 35");
    assert!(second.contains("Objects · 9 live"), "the two nodes exist now:\n{second}");
    s.keys(&["h", "h"]);
    s.wait_for("step 1/4 · line 23");
    s.keys(&["H"]);
    s.wait_for("step 1/4 · line 22");
    s.keys(&["?"]);
    s.wait_for("Anywhere");
    s.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(!s.screen().contains("Anywhere"), "the help closed");
    // The Memory view, drawn at the step's end where the ledger must be the one of that position.
    s.keys(&["L"]);
    s.wait_for("step 2/4 · line 35");
    s.keys(&["h", "m"]);
    let memory = s.wait_for("Pools · memory · held 1.0 MiB");
    assert!(memory.contains("1 arena with live blocks"), "{memory}");
    s.keys(&["q"]);
    let after = s.wait_for("MODES-END");
    assert!(after.contains("EXIT=0"), "{after}");
    let modes = after.lines().skip_while(|l| !l.contains("EXIT=0")).nth(1).unwrap_or_default().to_string();
    assert_eq!(modes.split_whitespace().collect::<Vec<_>>(), ["icanon", "echo"], "the terminal is back in cooked mode");
    assert!(!after.contains("Objects ·"), "the alternate screen is gone:\n{after}");
}

#[test]
fn a_python_file_steps_by_python_statement_into_methods_and_shows_its_asserts_at_the_step_end() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed, so the real-terminal test cannot run");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_heapscope");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/article/node_cycle.py");
    let script = format!("{bin} run {scenario}; echo EXIT=$?; sleep 60");
    let s = Session(format!("heapscope-py-test-{}", std::process::id()));
    let made = Command::new("tmux")
        .args(["new-session", "-d", "-s", &s.0, "-x", "120", "-y", "50", "sh", "-c", &script])
        .status()
        .expect("tmux starts");
    assert!(made.success());
    s.wait_for("step 1/4");
    // import gc, import sys, the cell's end, class Node, def __init__, gc.disable(), a = Node(1), and into
    // the method: the stops of CPython's tracer.
    s.keys(&["l", "l", "l", "l", "l", "l", "l", "l"]);
    let inside = s.wait_for("step 2/4 · line 12");
    assert!(inside.contains("▶12         self.value = value"), "{inside}");
    assert!(!inside.contains("py_"), "the Script panel shows the Python, not its lowering:\n{inside}");
    // On to the step's end: its assert is checked there, and what it printed is shown.
    s.keys(&["l", "l", "l", "l", "l", "l", "l", "l", "l"]);
    let done = s.wait_for("step 2/4 · done");
    assert!(done.contains("✓ sys.getrefcount(a) == 3"), "{done}");
    assert!(done.contains("| refcount of a: 3"), "{done}");
    s.keys(&["q"]);
    s.wait_for("EXIT=0");
}

#[test]
fn an_allocation_failure_that_aborts_still_restores_the_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipped: tmux is not installed, so the real-terminal test cannot run");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_heapscope");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/limits/out_of_host_memory.yaml");
    let script = format!(
        "ulimit -v 1500000; RUST_BACKTRACE=0 {bin} run --max-host-memory 100000000000 {scenario}; echo EXIT=$?; \
         stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; echo MODES-END; sleep 60"
    );
    let s = Session(format!("heapscope-oom-test-{}", std::process::id()));
    let made = Command::new("tmux")
        .args(["new-session", "-d", "-s", &s.0, "-x", "100", "-y", "30", "sh", "-c", &script])
        .status()
        .expect("tmux starts");
    assert!(made.success());
    // The line after the exit status is stty's, complete once the marker after it shows.
    let after = s.wait_for("MODES-END");
    assert!(after.contains("heapscope: out of memory; the terminal was restored"), "{after}");
    let modes = after.lines().skip_while(|l| !l.contains("EXIT=")).nth(1).unwrap_or_default().to_string();
    assert_eq!(modes.split_whitespace().collect::<Vec<_>>(), ["icanon", "echo"], "cooked mode again:\n{after}");
    let flags = s.tmux(&["display", "-p", "-t", &s.0, "#{alternate_on} #{mouse_any_flag} #{cursor_flag}"]);
    assert_eq!(flags.trim(), "0 0 1", "main screen, no mouse reporting, cursor shown");
}
