//! The `eval` command: rebuild the networks of a checkpoint from the recipe it carries, run
//! every probe on raw pixels, the untrained network and the checkpoint's, print the table and
//! write the results as JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sslc_runtime::RunError;
use sslc_runtime::checkpoint::Checkpoint;
use sslc_runtime::device::Device;
use sslc_runtime::eval::{Eval, Report, Suite};
use sslc_runtime::weights::Weights;

/// Options of `sslc eval`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// A checkpoint written by `sslc run` (e.g. `runs/byol/final.safetensors`).
    pub checkpoint: PathBuf,
    /// Where the JSON results go [default: beside the checkpoint, `<name>.eval.json`].
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Neighbour counts of the kNN probe.
    #[arg(long, value_delimiter = ',', default_values_t = [20, 200])]
    pub k: Vec<usize>,
    /// SGD steps of each linear probe.
    #[arg(long, default_value_t = 500)]
    pub linear_steps: usize,
    /// Overrides of the checkpoint's recipe, e.g. another data source to evaluate on; the
    /// networks must stay as trained.
    #[command(flatten)]
    pub overrides: crate::settings::Overrides,
    #[command(flatten)]
    pub device: crate::device::DeviceArg,
}

pub fn run(args: EvalArgs) -> ExitCode {
    let (ckpt, plan) = match crate::load::load_checkpoint(&args.checkpoint, &args.overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let (device, _) = match args.device.resolve_or_exit() {
        Ok(d) => d,
        Err(code) => return code,
    };
    crate::load::finish(evaluate(&plan, &ckpt, &args, &device))
}

fn evaluate(
    plan: &sslc_compiler::plan::Plan,
    ckpt: &Checkpoint,
    args: &EvalArgs,
    device: &Device,
) -> Result<(), RunError> {
    let mut weights = Weights::new(plan, &device.clone().autodiff())?;
    ckpt.restore(&mut weights)?;
    let mut eval = Eval {
        ks: args.k.clone(),
        ..Eval::default()
    };
    eval.linear.steps = args.linear_steps;
    eprintln!("evaluating {} ...", args.checkpoint.display());
    let suite = Suite::new(plan, eval, device)?;
    let report = suite.report(
        &weights,
        &ckpt.meta.recipe_file,
        ckpt.meta.step,
        ckpt.meta.epoch,
        device,
    )?;
    print!("{}", report.table());
    let json = args
        .json
        .clone()
        .unwrap_or_else(|| args.checkpoint.with_extension("eval.json"));
    write_json(&json, std::slice::from_ref(&report))?;
    eprintln!("results in {}", json.display());
    Ok(())
}

/// Writes reports as a JSON array.
pub fn write_json(path: &Path, reports: &[Report]) -> Result<(), RunError> {
    let fail = |e: &dyn std::fmt::Display| RunError::Data {
        path: path.display().to_string(),
        problem: format!("cannot be written: {e}"),
    };
    let text = serde_json::to_string_pretty(reports).map_err(|e| fail(&e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    std::fs::write(path, text + "\n").map_err(|e| fail(&e))
}
