//! The `sslc` command line: `check`, `graph`, `run`, `grads`, `eval`, `export`, `show` and `runs`.

mod cli;
mod crash;
mod device;
mod eval;
mod export;
mod fmt;
mod grads;
mod interrupt;
mod launch;
mod load;
mod lsp;
mod metrics;
mod plot;
mod run;
mod settings;
mod show;

fn main() -> std::process::ExitCode {
    // Before any thread starts: every thread then shares glibc's one arena.
    sslc_malloc::keep_freed_memory();
    crash::install();
    cli::main()
}
