//! The `sslc` command line: `check`, `graph` and `run` over recipe files.

mod cli;
mod run;

fn main() -> std::process::ExitCode {
    cli::main()
}
