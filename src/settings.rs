//! Overrides from the command line (`--set path=value`) and from profiles (`--profile FILE`,
//! read by `sslc_compiler::overrides::profile`).

use std::path::PathBuf;

use sslc_compiler::overrides::{Override, profile};

/// The options every command that compiles a recipe takes: overrides, and how strict to be.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Overrides {
    /// A YAML profile of overrides (e.g. `recipes/profiles/flsl-paper.yaml`); applied first.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Override one setting or argument: `train.epochs=300`, `backbone.dim=384`,
    /// `v1.blur.p=0.5`. Repeatable; applied after the profile.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Treat warnings as errors: a recipe with any warning fails.
    #[arg(long)]
    pub deny_warnings: bool,
}

impl Overrides {
    /// The overrides in order, or a message naming what is wrong.
    pub fn collect(&self) -> Result<Vec<Override>, String> {
        let mut out = vec![];
        if let Some(path) = &self.profile {
            let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            out = profile::read(&path.display().to_string(), &text)?;
        }
        for s in &self.set {
            out.push(Override::parse(s).map_err(|_| format!("`--set {s}`: write `--set path=value`"))?);
        }
        Ok(out)
    }
}
