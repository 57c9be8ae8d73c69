//! The `sslc` command line: `check`, `graph`, `run`, `grads`, `eval`, `export`, `show` and `runs`.

mod cli;
mod crash;
mod device;
mod eval;
mod export;
mod grads;
mod interrupt;
mod load;
mod metrics;
mod plot;
mod run;
mod settings;
mod show;

/// Training frees and allocates the same large buffers at every op; glibc's allocator hands those
/// back to the kernel and faults fresh pages in again, mimalloc keeps and reuses them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    crash::install();
    cli::main()
}
