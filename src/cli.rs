//! Argument parsing and the `check` and `graph` commands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sslc_compiler::{Compiled, compile, diag, graph, plan};

#[derive(Parser)]
#[command(name = "sslc", version, about = "Compile and train self-supervised vision recipes")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Yaml,
    Dot,
    Plan,
}

#[derive(Subcommand)]
enum Command {
    /// Check recipes and report diagnostics (non-zero exit on errors).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the compiled graph of a recipe.
    Graph {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Train a recipe and report a kNN probe against the untrained network.
    Run(crate::run::RunArgs),
    /// Print the reference of every built-in (the generated part of docs/language.md).
    Reference,
}

/// Reads and compiles a recipe, printing its diagnostics to stderr.
pub fn load(path: &Path) -> Result<(String, Compiled), ExitCode> {
    let src = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return Err(ExitCode::from(2));
        }
    };
    let compiled = compile(&src);
    if !compiled.diags.is_empty() {
        eprintln!(
            "{}",
            diag::render_all(&compiled.diags, &path.display().to_string(), &src)
        );
    }
    if compiled.has_errors() {
        return Err(ExitCode::FAILURE);
    }
    Ok((src, compiled))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files } => {
            let mut failed = false;
            for f in &files {
                match load(f) {
                    Ok((_, c)) => {
                        let warnings = c.diags.len();
                        println!("{}: ok ({warnings} warning(s))", f.display());
                    }
                    Err(_) => failed = true,
                }
            }
            if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
        }
        Command::Graph { file, format } => match load(&file) {
            Err(code) => code,
            Ok((_, c)) => {
                let out = match format {
                    Format::Text => graph::to_text(&c.graph),
                    Format::Yaml => graph::to_yaml(&c.graph),
                    Format::Dot => graph::to_dot(&c.graph),
                    Format::Plan => c.plan.as_ref().map(plan::to_text).unwrap_or_default(),
                };
                print!("{out}");
                ExitCode::SUCCESS
            }
        },
        Command::Run(args) => crate::run::run(args),
        Command::Reference => {
            print!("{}", sslc_compiler::registry::reference());
            ExitCode::SUCCESS
        }
    }
}
