//! JUnit XML for CI systems: one test case per scenario, a failure per failed expectation or error.

use std::fmt::Write;

/// One scenario's outcome for the XML.
pub struct Case {
    /// The scenario's name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Failure messages (empty when it passed).
    pub failures: Vec<String>,
    /// Whether the failure is bad input rather than a failed expectation.
    pub error: bool,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The `<testsuites>` document.
pub fn render(cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| !c.failures.is_empty() && !c.error).count();
    let errors = cases.iter().filter(|c| c.error).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">", cases.len());
    let _ = writeln!(
        out,
        "  <testsuite name=\"heapscope\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
        cases.len()
    );
    for c in cases {
        let _ = write!(
            out,
            "    <testcase classname=\"scenarios\" name=\"{}\" file=\"{}\"",
            escape(&c.name),
            escape(&c.file)
        );
        if c.failures.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let tag = if c.error { "error" } else { "failure" };
        for f in &c.failures {
            let first = f.lines().next().unwrap_or("");
            let _ = writeln!(out, "      <{tag} message=\"{}\">{}</{tag}>", escape(first), escape(f));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
