//! The scenario file format (YAML): what a scenario says, as plain data.

use serde::Deserialize;

/// A scenario: a story about memory, told in steps that run Rhai and check what happened.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short title.
    pub name: String,
    /// What it shows.
    #[serde(default)]
    pub description: String,
    /// CPython version to simulate (default 3.13).
    #[serde(default)]
    pub profile: Option<String>,
    /// Collector settings at the start.
    #[serde(default)]
    pub gc: Option<GcSettings>,
    /// Bytes the simulated process may take from the OS before `MemoryError`.
    #[serde(default)]
    pub heap_limit: Option<u64>,
    /// What one run may use: operations, wall-clock seconds, heapscope's own memory.
    #[serde(default)]
    pub limits: LimitSettings,
    /// What the heap holds before the first step: `interpreter` (the default: free lists stocked as a real
    /// interpreter's start-up leaves them) or `empty`.
    #[serde(default)]
    pub start: crate::script::HeapStart,
    /// Rhai run before the steps (classes, helper functions).
    #[serde(default)]
    pub setup: Option<String>,
    /// The same setup in Python, for `heapscope verify`.
    #[serde(default)]
    pub python_setup: Option<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Its names and narration with control characters shown, not sent (see [`crate::safe_text`]): they are
    /// printed to terminals. Scripts keep their text; where they are shown, the view neutralises them.
    pub fn neutralise_text(&mut self) {
        let safe = |s: &mut String| *s = crate::safe_text::neutralised(s).into_owned();
        safe(&mut self.name);
        safe(&mut self.description);
        for step in &mut self.steps {
            safe(&mut step.title);
            safe(&mut step.narration);
        }
    }
}

/// `gc:` settings.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GcSettings {
    /// `gc.set_threshold(...)`.
    #[serde(default)]
    pub thresholds: Option<[u32; 3]>,
    /// `gc.enable()` / `gc.disable()`.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// `gc.set_debug(...)`.
    #[serde(default)]
    pub debug: Option<u32>,
}

/// `limits:` what one run may use (each unset one keeps heapscope's default).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Operations: Rhai's, and each item a builtin visits. The limit that decides, the same everywhere.
    #[serde(default)]
    pub operations: Option<u64>,
    /// Wall-clock seconds the scripts may run: a last resort, it depends on the machine.
    #[serde(default)]
    pub seconds: Option<u64>,
    /// Bytes heapscope itself may hold for the run: a last resort too.
    #[serde(default)]
    pub host_memory: Option<u64>,
}

impl LimitSettings {
    /// These settings, with each one `over` sets taking its place (the command line over the file).
    pub fn overridden_by(self, over: LimitSettings) -> LimitSettings {
        LimitSettings {
            operations: over.operations.or(self.operations),
            seconds: over.seconds.or(self.seconds),
            host_memory: over.host_memory.or(self.host_memory),
        }
    }
}

/// One step.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Shown as the step's heading.
    pub title: String,
    /// What to notice.
    #[serde(default)]
    pub narration: String,
    /// Rhai to run.
    #[serde(default)]
    pub run: Option<String>,
    /// A `.rhai` file beside the scenario to run instead.
    #[serde(default)]
    pub run_file: Option<String>,
    /// Rhai boolean expressions that must hold after the step.
    #[serde(default)]
    pub expect: Vec<String>,
    /// The same step in Python, for `heapscope verify`.
    #[serde(default)]
    pub python: Option<String>,
}

/// Every key the format knows, for "did you mean" suggestions.
pub const KNOWN_KEYS: &[&str] = &[
    "python",
    "python_setup",
    "name",
    "description",
    "profile",
    "gc",
    "heap_limit",
    "limits",
    "operations",
    "seconds",
    "host_memory",
    "setup",
    "steps",
    "thresholds",
    "enabled",
    "debug",
    "title",
    "narration",
    "run",
    "run_file",
    "expect",
];
