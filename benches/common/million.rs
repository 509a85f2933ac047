//! The long run the time-travel benchmarks share: 500,000 instances of `Node`, each with an int attribute,
//! appended to one list (1,000,000 live objects, about 10,000,000 heap events), optionally then dropped.

use heapscope::scenario::{Loaded, load};

const BUILD: &str = r#"
name: A million objects
steps:
  - title: Build
    run: |
      let Node = class("Node");
      let keep = list();
      for i in 0..500000 {
          let n = Node.create();
          n.value = i;
          keep.append(n);
      }
"#;

const DROP: &str = r#"
  - title: Drop
    run: |
      del keep;
"#;

/// The scenario, loaded from a temporary file (`and_drop`: with the step that frees it all).
pub fn scenario(and_drop: bool) -> Loaded {
    let path = std::env::temp_dir().join(format!("heapscope-bench-million-{and_drop}.yaml"));
    let text = if and_drop { format!("{BUILD}{DROP}") } else { BUILD.to_string() };
    std::fs::write(&path, text).expect("a temporary file");
    let loaded = load(&path).expect("the scenario loads");
    let _ = std::fs::remove_file(&path);
    loaded
}
