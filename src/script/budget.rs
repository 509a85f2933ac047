//! One budget per run: every Rhai operation (in the script, in closures a builtin calls, in finalizers and
//! callbacks, in expectations) and every item a builtin visits is charged to the same count, so no loop
//! escapes the limit, and the count, not the clock, decides: the same scenario stops at the same operation
//! headless, in the TUI and under `test`.
//!
//! The wall clock and the host's memory are checked too, as last resorts with their own messages (neither
//! is deterministic: a slower machine or a recording viewer reaches them sooner).

use crate::heap::obmalloc::thousands;
use std::cell::Cell;
use std::time::{Duration, Instant};

/// Which limit a run reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exceeded {
    /// The operation budget, with its size.
    Operations(u64),
    /// The wall-clock time, in seconds, the scripts may run.
    Seconds(u64),
    /// The bytes heapscope itself may hold for the run.
    HostMemory(u64),
}

impl Exceeded {
    /// What happened and how to raise the limit, in plain words.
    pub fn message(self) -> String {
        match self {
            Exceeded::Operations(n) => format!(
                "the scenario used up its budget of {} operations (raise it with `limits: {{operations: N}}` \
                 in the scenario or `--max-operations N`)",
                thousands(n)
            ),
            Exceeded::Seconds(s) => format!(
                "the scenario's scripts ran for {s} s of wall-clock time while still within their operation \
                 budget; this last-resort limit depends on the machine (raise it with `limits: {{seconds: N}}` \
                 or `--max-seconds N`)"
            ),
            Exceeded::HostMemory(b) => format!(
                "heapscope itself needed more than {} MiB of memory for this run (the host memory limit; \
                 raise it with `limits: {{host_memory: BYTES}}` or `--max-host-memory BYTES`)",
                b >> 20
            ),
        }
    }
}

/// How often (in operations) the clock and the host's memory are looked at.
const CHECK_EVERY: u64 = 1024;

/// The operations, time and host memory one run may use.
#[derive(Debug)]
pub struct Budget {
    max_operations: u64,
    used: Cell<u64>,
    next_check: Cell<u64>,
    seconds: u64,
    /// Time spent in scripts before the one running now.
    spent: Cell<Duration>,
    /// When the script running now started (`None`: none is running, as while the TUI waits for a key).
    since: Cell<Option<Instant>>,
    host_memory: Option<u64>,
    exceeded: Cell<Option<Exceeded>>,
    /// The last charge went over the budget.
    over: Cell<bool>,
}

impl Budget {
    /// A budget of `max_operations`, `seconds` of script time and `host_memory` bytes of heapscope's own
    /// memory (`None`: not checked).
    pub fn new(max_operations: u64, seconds: u64, host_memory: Option<u64>) -> Budget {
        Budget {
            max_operations,
            used: Cell::new(0),
            next_check: Cell::new(CHECK_EVERY),
            seconds,
            spent: Cell::new(Duration::ZERO),
            since: Cell::new(None),
            host_memory,
            exceeded: Cell::new(None),
            over: Cell::new(false),
        }
    }

    /// Operations charged so far.
    pub fn used(&self) -> u64 {
        self.used.get()
    }

    /// Charge `n` operations; once any limit is reached, every later charge fails too, so a limit cannot be
    /// caught and carried on from. The budget is exceeded by the second charge in a row over it.
    pub fn charge(&self, n: u64) -> Result<(), Exceeded> {
        if let Some(e) = self.exceeded.get() {
            return Err(e);
        }
        let used = self.used.get().saturating_add(n);
        self.used.set(used);
        // Over the budget, the run ends at the next charge still over it: a viewer's hook statement is
        // charged and then refunded, and must not end a run the same scenario headless would go on with.
        if used > self.max_operations {
            if self.over.replace(true) {
                return Err(self.exceed(Exceeded::Operations(self.max_operations)));
            }
            return Ok(());
        }
        self.over.set(false);
        if used >= self.next_check.get() {
            self.next_check.set(used + CHECK_EVERY);
            self.check_clock_and_memory()?;
        }
        Ok(())
    }

    /// Give back `n` operations charged for work that only some runs do (the statement hooks a viewer
    /// listens to), so every run of a scenario counts the same.
    pub fn refund(&self, n: u64) {
        self.used.set(self.used.get().saturating_sub(n));
    }

    fn check_clock_and_memory(&self) -> Result<(), Exceeded> {
        if let Some(since) = self.since.get()
            && (self.spent.get() + since.elapsed()).as_secs() >= self.seconds
        {
            return Err(self.exceed(Exceeded::Seconds(self.seconds)));
        }
        if let Some(limit) = self.host_memory
            && crate::host_memory::allocated() > limit
        {
            return Err(self.exceed(Exceeded::HostMemory(limit)));
        }
        Ok(())
    }

    fn exceed(&self, e: Exceeded) -> Exceeded {
        self.exceeded.set(Some(e));
        e
    }

    /// The limit reached, if any.
    pub fn exceeded(&self) -> Option<Exceeded> {
        self.exceeded.get()
    }

    /// A script starts running: its wall-clock time counts until the guard goes. Inside a running script
    /// (a nested run) the outer one keeps counting.
    pub fn running(&self) -> Running<'_> {
        if self.since.get().is_some() {
            return Running(None);
        }
        self.since.set(Some(Instant::now()));
        Running(Some(self))
    }
}

/// While alive, a script's wall-clock time counts against its [`Budget`] (not while the viewer waits).
pub struct Running<'a>(Option<&'a Budget>);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Some(b) = self.0
            && let Some(since) = b.since.take()
        {
            b.spent.set(b.spent.get() + since.elapsed());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reached_limit_stays_reached() {
        let b = Budget::new(10, 60, None);
        assert!(b.charge(10).is_ok());
        assert!(b.charge(1).is_ok(), "one operation over: a refund may still come");
        assert_eq!(b.charge(1), Err(Exceeded::Operations(10)));
        b.refund(5);
        assert_eq!(b.charge(1), Err(Exceeded::Operations(10)), "a refund does not undo the limit");
    }

    #[test]
    fn the_message_names_the_limit_and_how_to_raise_it() {
        let m = Exceeded::Operations(50_000_000).message();
        assert!(m.contains("50,000,000 operations") && m.contains("--max-operations"), "{m}");
        assert!(Exceeded::Seconds(60).message().contains("limits: {seconds: N}"));
    }
}
