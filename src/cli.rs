//! Argument parsing and the `check` and `graph` commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sslc_compiler::{graph, plan};

use crate::settings::Overrides;

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
        #[command(flatten)]
        overrides: Overrides,
    },
    /// Rewrite recipes in the one layout, comments kept (`--check`: list those not in it,
    /// changing nothing; non-zero exit if any).
    Fmt {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        check: bool,
    },
    /// Serve editors over stdio as a language server: diagnostics, hover, completion, go to
    /// definition, symbols and formatting.
    Lsp,
    /// Print the compiled graph of a recipe.
    Graph {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[command(flatten)]
        overrides: Overrides,
    },
    /// Train a recipe, report a kNN probe against the untrained network, save a checkpoint.
    Run(crate::run::RunArgs),
    /// Evaluate a checkpoint: kNN, linear, multi-label and dense probes, with baselines.
    Eval(crate::eval::EvalArgs),
    /// On the batch of the first step, the gradient norm each loss term sends to each
    /// trainable network; fails when a term reaches a network and sends it none.
    Grads(crate::grads::GradsArgs),
    /// Export one network of a checkpoint for timm, or as plain safetensors.
    Export(crate::export::ExportArgs),
    /// Summarise a run folder: progress, last losses, probes, checkpoints; draws metrics.png.
    Show { dir: PathBuf },
    /// One line for each run folder under DIR.
    Runs {
        #[arg(default_value = "runs")]
        dir: PathBuf,
    },
    /// Print the reference of every built-in (the generated part of docs/language.md).
    Reference,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files, overrides } => {
            let mut failed = false;
            for f in &files {
                match crate::load::load(f, &overrides) {
                    Ok((_, c)) => {
                        let warnings = c.diags.len();
                        println!("{}: ok ({warnings} warning(s))", f.display());
                    }
                    Err(_) => failed = true,
                }
            }
            if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
        }
        Command::Graph {
            file,
            format,
            overrides,
        } => match crate::load::load(&file, &overrides) {
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
        Command::Fmt { files, check } => crate::fmt::run(&files, check),
        Command::Lsp => crate::lsp::run(),
        Command::Run(args) => crate::run::run(args),
        Command::Eval(args) => crate::eval::run(args),
        Command::Export(args) => crate::export::run(args),
        Command::Grads(args) => crate::grads::run(args),
        Command::Show { dir } => crate::show::show(&dir),
        Command::Runs { dir } => crate::show::runs(&dir),
        Command::Reference => {
            print!("{}", sslc_compiler::registry::reference());
            ExitCode::SUCCESS
        }
    }
}
