//! Ctrl-C during `sslc run`: the first one asks the run to stop after its current step and
//! write a checkpoint; a second one ends the process at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Installs the handler; the flag it returns turns true at the first Ctrl-C (SIGINT or SIGTERM).
/// If the handler cannot be installed, the run goes on without it, and says so.
pub fn install() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = flag.clone();
    let installed = ctrlc::set_handler(move || {
        if seen.swap(true, Ordering::SeqCst) {
            eprintln!("\ninterrupted again: stopping without a checkpoint");
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: stopping after this step and writing a checkpoint (Ctrl-C again to stop now)");
    });
    if let Err(e) = installed {
        eprintln!("warning: Ctrl-C will stop the run without a checkpoint ({e})");
    }
    flag
}

/// For `sslc run --nproc`: counts Ctrl-Cs (SIGINT or SIGTERM) instead of acting on them; the
/// launcher passes each on to its ranks, which run in process groups of their own.
pub fn counted() -> Arc<std::sync::atomic::AtomicUsize> {
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        seen.fetch_add(1, Ordering::SeqCst);
    }) {
        eprintln!("warning: Ctrl-C will not reach the ranks ({e})");
    }
    count
}
