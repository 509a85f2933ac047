//! Loops: `while` and `for`, with `break`, `continue` and `else`, stopping where CPython's tracer stops.

use super::PyError;
use super::stmt::Lowering;
use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::Ranged;

impl Lowering<'_> {
    pub(crate) fn while_stmt(&mut self, s: &Stmt, w: &ast::StmtWhile) -> Result<(), PyError> {
        // The test is a statement of each iteration: CPython's tracer stops at the `while` line
        // before every test.
        let line = self.lines.at(w.start()).0;
        let ran_out = self.open_else(line, &w.orelse);
        self.emit(line, "loop { ");
        self.anchor(s);
        let test = self.condition(&w.test)?;
        self.emit(line, &format!("if !({test}) {{ {}break; }} ", ran_out.set()));
        // A `continue` goes back to the test, itself a stop.
        self.loops.push(None);
        let body = self.body(&w.body);
        self.loops.pop();
        body?;
        self.close("} ");
        self.close_else(ran_out, &w.orelse)?;
        Ok(())
    }

    pub(crate) fn for_stmt(&mut self, f: &ast::StmtFor) -> Result<(), PyError> {
        if f.is_async {
            return Err(self.lines.error(f, "`async for` is not simulated"));
        }
        let line = self.anchor(f);
        let ran_out = self.open_else(line, &f.orelse);
        let iter = self.expr(&f.iter)?.0;
        let (it, n) = (self.temp("it"), self.temp("n"));
        self.emit(line, &format!("{{ let {it} = py_iter({iter}); loop {{ "));
        // The target is bound only if the loop runs at all.
        self.binds.block(true);
        let bind = self.assign(&f.target, &format!("{n}.py_take()"));
        self.binds.block(false);
        let stop = format!("if {n}.py_stop() {{ {}break; }}", ran_out.set());
        self.emit(line, &format!("let {n} = {it}.py_next(); {stop} {} ", bind?));
        // After the body the loop jumps back to its header: the tracer stops at the `for` line again.
        self.loops.push(Some(f.start()));
        let body = self.body(&f.body);
        self.loops.pop();
        body?;
        self.jump_back(f.start());
        self.close("} } ");
        self.close_else(ran_out, &f.orelse)
    }

    /// Before a loop with an `else`: a flag that only running out sets (a `break` leaves it false), in a
    /// block that closes after the `else` body.
    fn open_else(&mut self, line: usize, orelse: &[Stmt]) -> RanOut {
        if orelse.is_empty() {
            return RanOut(None);
        }
        let flag = self.temp("ran_out");
        self.emit(line, &format!("{{ let {flag} = false; "));
        RanOut(Some(flag))
    }

    /// After the loop: the `else` body, run when the loop ran out. The loop's iterator is already released
    /// then, as `END_FOR` pops it before the `else` runs.
    fn close_else(&mut self, ran_out: RanOut, orelse: &[Stmt]) -> Result<(), PyError> {
        let Some(flag) = ran_out.0 else { return Ok(()) };
        self.close(&format!("if {flag} {{ "));
        self.body(orelse)?;
        self.close("} } ");
        Ok(())
    }
}

/// The flag of a loop with an `else` (none without one).
struct RanOut(Option<String>);

impl RanOut {
    /// What the loop's exhaustion runs before it breaks out.
    fn set(&self) -> String {
        self.0.as_ref().map_or(String::new(), |f| format!("{f} = true; "))
    }
}
