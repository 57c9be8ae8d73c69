//! The `sslc` command line: `check`, `graph` and `run` over recipe files.

mod cli;
mod run;
mod settings;

fn main() -> std::process::ExitCode {
    cli::main()
}
