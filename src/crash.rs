//! What a panic looks like to a user: one line that says it is a bug in sslc and which recipe
//! was running, with the backtrace only under `RUST_BACKTRACE`. A closed output pipe
//! (`sslc check x.ssl | head -1`) is not a bug: the process ends quietly, as `cat` would.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::io::Write;
use std::sync::Mutex;

/// The recipe or checkpoint being worked on, named in a bug report.
static CURRENT: Mutex<Option<String>> = Mutex::new(None);

/// Records what a later bug report should name.
pub fn working_on(what: &str) {
    if let Ok(mut current) = CURRENT.lock() {
        *current = Some(what.to_string());
    }
}

/// The exit status of a process whose reader went away (128 + SIGPIPE, as a shell reports it).
const CLOSED_PIPE: i32 = 141;

/// Installs the hook; call once, first thing in `main`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        if message.contains("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE);
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let recipe = CURRENT
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .map(|r| format!(" while working on {r}"))
            .unwrap_or_default();
        let mut err = std::io::stderr().lock();
        // Writing may fail too (closed stderr): nothing more can be said then.
        let _ = writeln!(
            err,
            "error: internal error in sslc{recipe}: {}{place}\n  this is a bug in sslc, not in the recipe; please report it with the recipe and the command",
            message.lines().next().unwrap_or_default()
        );
        let trace = Backtrace::capture();
        if trace.status() == BacktraceStatus::Captured {
            let _ = writeln!(err, "{trace}");
        } else {
            let _ = writeln!(err, "  (RUST_BACKTRACE=1 shows where)");
        }
    }));
}
