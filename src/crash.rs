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

/// How much of a panic's message the report quotes.
const QUOTED: usize = 240;

/// The report of a panic with `message` at `place` while working on `recipe`: the message's
/// informative lines (not blank, not `=== banner ===`), joined and cut to [`QUOTED`] characters.
fn report(message: &str, place: Option<(&str, u32)>, recipe: Option<&str>) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && (!l.starts_with("===") || !l.ends_with("===")))
        .collect();
    let mut what: String = lines.join("; ").chars().take(QUOTED).collect();
    if what.is_empty() {
        what = "no message".into();
    }
    let place = place.map(|(f, l)| format!(" ({f}:{l})")).unwrap_or_default();
    let recipe = recipe.map(|r| format!(" while working on {r}")).unwrap_or_default();
    format!(
        "error: internal error in sslc{recipe}: {what}{place}\n  this is a bug in sslc, not in the recipe; please report it with the recipe and the command"
    )
}

/// Fault injection, for the test of the report: with `SSLC_INJECT_PANIC` set, a command that has
/// loaded its recipe panics with that message, as a bug of the runtime would.
pub fn inject() {
    if let Some(message) = std::env::var_os("SSLC_INJECT_PANIC") {
        panic!("{}", message.to_string_lossy());
    }
}

/// Installs the hook; call once, first thing in `main`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if message.contains("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_PIPE);
        }
        let recipe = CURRENT.lock().ok().and_then(|c| c.clone());
        let place = info.location().map(|l| (l.file(), l.line()));
        let mut err = std::io::stderr().lock();
        // Writing may fail too (closed stderr): nothing more can be said then.
        let _ = writeln!(err, "{}", report(&message, place, recipe.as_deref()));
        let trace = Backtrace::capture();
        if trace.status() == BacktraceStatus::Captured {
            let _ = writeln!(err, "{trace}");
        } else {
            let _ = writeln!(err, "  (RUST_BACKTRACE=1 shows where)");
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::report;

    #[test]
    fn a_report_is_two_lines_naming_the_recipe_and_the_informative_message() {
        let burn = "=== Tensor Operation Error ===\n  Operation: 'Mul'\n  Reason:\n    1. Incompatible size at dimension '0'. Lhs tensor has a size of 8 and rhs tensor has a size of 16. \n";
        let r = report(burn, Some(("numeric.rs", 242)), Some("x.ssl"));
        assert_eq!(r.lines().count(), 2, "{r}");
        assert!(
            r.starts_with(
                "error: internal error in sslc while working on x.ssl: Operation: 'Mul'; Reason:; 1. Incompatible size"
            ),
            "{r}"
        );
        assert!(
            r.contains("(numeric.rs:242)") && r.contains("this is a bug in sslc"),
            "{r}"
        );
        let long = "x".repeat(10_000);
        assert!(report(&long, None, None).len() < 500);
        assert!(report("", None, None).contains("no message"));
    }
}
