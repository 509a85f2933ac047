//! The engine must stay pure Rust: no scripting, TUI or file-format crates inside `src/heap/`.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/heap exists") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_heap_engine_imports_no_ui_script_or_format_crates() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/heap"), &mut files);
    assert!(files.len() > 10, "found the engine sources");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for banned in ["rhai", "ratatui", "crossterm", "serde_yaml"] {
            let used = text.lines().any(|l| {
                let l = l.trim_start();
                !l.starts_with("//") && (l.contains(&format!("{banned}::")) || l.contains(&format!("use {banned}")))
            });
            assert!(!used, "{} uses {banned}", f.display());
        }
    }
}
