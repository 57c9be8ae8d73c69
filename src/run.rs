//! The `run` command: compile, refuse what the runtime cannot execute, train, probe.

use std::path::PathBuf;
use std::process::ExitCode;

use sslc_compiler::diag::{Diag, render_all};

/// Options of `sslc run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The recipe to train.
    pub file: PathBuf,
}

pub fn run(args: RunArgs) -> ExitCode {
    let (src, compiled) = match crate::cli::load(&args.file) {
        Err(code) => return code,
        Ok(c) => c,
    };
    let Some(plan) = compiled.plan else {
        return ExitCode::FAILURE;
    };
    let refused: Vec<Diag> = sslc_runtime::support::unsupported(&plan)
        .into_iter()
        .map(|(op, span)| Diag::Unsupported {
            op,
            span,
            backend: sslc_runtime::support::backend().into(),
        })
        .collect();
    if !refused.is_empty() {
        eprintln!("{}", render_all(&refused, &args.file.display().to_string(), &src));
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
