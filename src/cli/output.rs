//! Standard output for the commands, every write checked: a full disk or a closed pipe ends the command with
//! a message and exit status 3 ([`OUTPUT_FAILED`]), never a panic and never a report lost without a word.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

/// Exit status when the output could not be written.
pub const OUTPUT_FAILED: u8 = 3;

/// The first write error, once one happened (later writes are skipped).
static FAILED: Mutex<Option<std::io::Error>> = Mutex::new(None);

/// Write `text` to standard output, with control characters neutralised when `safe` (see
/// [`crate::safe_text`]).
pub fn write(text: &str, safe: bool) {
    let mut failed = FAILED.lock().unwrap_or_else(|e| e.into_inner());
    if failed.is_some() {
        return;
    }
    let text = if safe { crate::safe_text::neutralised(text) } else { text.into() };
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        *failed = Some(e);
    }
}

/// The command's exit status, or [`OUTPUT_FAILED`] with a message if its output could not be written.
pub fn finish(code: ExitCode) -> ExitCode {
    let failed = FAILED.lock().unwrap_or_else(|e| e.into_inner()).take();
    match failed {
        None => code,
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            errln!("heapscope: the output was closed before it ended (broken pipe)");
            ExitCode::from(OUTPUT_FAILED)
        }
        Some(e) => {
            errln!("heapscope: cannot write the output: {e}");
            ExitCode::from(OUTPUT_FAILED)
        }
    }
}

/// `print!` through [`write`], control characters neutralised.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::write(&format!($($arg)*), true) };
}

/// `println!` through [`write`], control characters neutralised.
macro_rules! outln {
    () => { $crate::cli::output::write("\n", true) };
    ($($arg:tt)*) => { $crate::cli::output::write(&format!("{}\n", format_args!($($arg)*)), true) };
}

/// `eprintln!` that cannot panic: when standard error itself cannot be written, the exit status still says
/// what happened.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub(crate) use {errln, out, outln};
