//! The `run` command: compile, refuse what the runtime cannot execute, train with a progress
//! bar, report the probe on the trained network next to the untrained one, save a checkpoint,
//! and (with `--eval-every`) run the full evaluation along the way.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sslc_compiler::diag::{Diag, render_all};
use sslc_runtime::checkpoint::{self, Meta};
use sslc_runtime::device::Device;
use sslc_runtime::eval::{Eval, Report, Suite};
use sslc_runtime::{RunError, Trainer, support};

/// Options of `sslc run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The recipe to train.
    pub file: PathBuf,
    #[command(flatten)]
    pub overrides: crate::settings::Overrides,
    #[command(flatten)]
    pub device: crate::device::DeviceArg,
    /// Where the checkpoint (`final.ckpt`) and evaluations (`eval.json`) go
    /// [default: runs/<recipe name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run the full evaluation (`sslc eval`) every N epochs and at the end, saving a
    /// checkpoint each time; 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub eval_every: u64,
}

impl RunArgs {
    fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| {
            let stem = self.file.file_stem().map(|s| s.to_string_lossy().into_owned());
            PathBuf::from("runs").join(stem.unwrap_or_else(|| "run".into()))
        })
    }
}

pub fn run(args: RunArgs) -> ExitCode {
    let (src, compiled) = match crate::cli::load(&args.file, &args.overrides) {
        Err(code) => return code,
        Ok(c) => c,
    };
    let Some(plan) = compiled.plan else {
        return ExitCode::FAILURE;
    };
    let refused: Vec<Diag> = support::unsupported(&plan)
        .into_iter()
        .map(|(op, span)| Diag::Unsupported {
            op,
            span,
            backend: support::backend().into(),
        })
        .collect();
    if !refused.is_empty() {
        eprintln!("{}", render_all(&refused, &args.file.display().to_string(), &src));
        return ExitCode::FAILURE;
    }
    let device = match args.device.resolve_or_exit() {
        Ok(d) => d,
        Err(code) => return code,
    };
    crate::cli::finish(train(&plan, &src, &args, device))
}

fn train(
    plan: &sslc_compiler::plan::Plan,
    src: &str,
    args: &RunArgs,
    (device, device_name): (Device, String),
) -> Result<(), RunError> {
    let started = Instant::now();
    let out = args.out_dir();
    let recipe = args.file.display().to_string();
    let suite = if args.eval_every > 0 {
        eprintln!("preparing the evaluation (raw-pixel and untrained baselines)...");
        Some(Suite::new(plan, Eval::default(), &device)?)
    } else {
        None
    };
    let mut reports = vec![];
    let mut trainer = Trainer::new(plan, &device)?;
    eprintln!(
        "{}: {} training images, {} epochs × {} steps of {} images, {} trainable parameters, device {}",
        args.file.display(),
        trainer.data.train.len(),
        plan.train.epochs,
        trainer.steps_per_epoch,
        trainer.batch,
        trainer.weights.trainable_params(),
        device_name,
    );
    if (trainer.batch as u64) < plan.batch {
        eprintln!(
            "warning: the batch of {} is larger than the {} training images; each step takes all of them",
            plan.batch, trainer.batch
        );
    }
    let before = trainer.probe()?;
    if let Some(acc) = before {
        eprintln!("probe on the untrained network: {:.1}%", acc * 100.0);
    }
    let interactive = std::io::stderr().is_terminal();
    let bar = if interactive {
        ProgressBar::new(trainer.total_steps)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] step {pos}/{len} {msg} (eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let train_start = Instant::now();
    let mut images = 0usize;
    let mut last = None;
    while trainer.step < trainer.total_steps {
        let info = trainer.step()?;
        for note in &info.notes {
            bar.suspend(|| eprintln!("{note}"));
        }
        images += info.images;
        let rate = images as f64 / train_start.elapsed().as_secs_f64().max(1e-9);
        let msg = format!(
            "epoch {:.2} loss {:.4} lr {:.2e} {:.0} img/s",
            info.epoch, info.loss, info.lr, rate
        );
        bar.set_message(msg.clone());
        bar.inc(1);
        if !interactive && (info.step % plan.train.log_every.max(1) == 0 || info.step == trainer.total_steps) {
            eprintln!("step {}/{} {msg}", info.step, trainer.total_steps);
        }
        let epoch_done = trainer.step % trainer.steps_per_epoch == 0;
        let epoch = trainer.step / trainer.steps_per_epoch;
        if let Some(suite) = &suite
            && epoch_done
            && (epoch % args.eval_every == 0 || trainer.step == trainer.total_steps)
        {
            let report = bar.suspend(|| -> Result<_, RunError> {
                let report = suite.report(&trainer.weights, &recipe, trainer.step, epoch as f64, &device)?;
                eprint!("{}", report.table());
                Ok(report)
            })?;
            reports.push(report);
            save(&out, &recipe, src, &trainer, &reports)?;
        }
        last = Some(info);
    }
    bar.finish_and_clear();
    if let Some(info) = &last {
        let terms: Vec<String> = info.terms.iter().map(|(n, v)| format!("{n} {v:.4}")).collect();
        eprintln!(
            "trained {} steps in {:.1}s ({:.1} img/s); final loss {:.4} ({})",
            info.step,
            train_start.elapsed().as_secs_f64(),
            images as f64 / train_start.elapsed().as_secs_f64().max(1e-9),
            info.loss,
            terms.join(", ")
        );
    }
    let after = trainer.probe()?;
    let pixels = trainer.probe_pixels()?;
    if let (Some(b), Some(a), Some(p), Some(cfg)) = (before, after, pixels, &plan.train.probe) {
        println!("{cfg} on {} held-out images", trainer.data.holdout.len());
        println!("  raw pixels {:5.1}%", p * 100.0);
        println!("  untrained  {:5.1}%", b * 100.0);
        println!("  trained    {:5.1}%", a * 100.0);
    }
    // The evaluation at the last step already saved this step's checkpoint.
    let ckpt = if reports.last().is_some_and(|r| r.step == trainer.step) {
        out.join(CHECKPOINT)
    } else {
        save(&out, &recipe, src, &trainer, &reports)?
    };
    eprintln!(
        "checkpoint {} (evaluate it with `sslc eval {}`)",
        ckpt.display(),
        ckpt.display()
    );
    eprintln!("total time {:.0}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The checkpoint's file name in a run's output folder.
const CHECKPOINT: &str = "final.ckpt";

/// Writes the checkpoint, and the evaluations so far if any, into `out`.
fn save(out: &Path, recipe: &str, src: &str, trainer: &Trainer, reports: &[Report]) -> Result<PathBuf, RunError> {
    let path = out.join(CHECKPOINT);
    let meta = Meta {
        recipe_file: recipe.into(),
        recipe: src.into(),
        step: trainer.step,
        epoch: trainer.step as f64 / trainer.steps_per_epoch as f64,
    };
    checkpoint::save(&path, &meta, &trainer.weights)?;
    if !reports.is_empty() {
        crate::eval::write_json(&out.join("eval.json"), reports)?;
    }
    Ok(path)
}
