//! The `run` command: compile, refuse what the runtime cannot execute, train with a progress
//! bar, and report the probe on the trained network next to the untrained one.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sslc_compiler::diag::{Diag, render_all};
use sslc_runtime::{RunError, Trainer, support};

/// Options of `sslc run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The recipe to train.
    pub file: PathBuf,
    #[command(flatten)]
    pub overrides: crate::settings::Overrides,
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
    match train(&plan, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn train(plan: &sslc_compiler::plan::Plan, args: &RunArgs) -> Result<(), RunError> {
    let device = sslc_runtime::device::default();
    let started = Instant::now();
    let mut trainer = Trainer::new(plan, &device)?;
    eprintln!(
        "{}: {} training images, {} epochs × {} steps of {} images, {} trainable parameters, backend {}",
        args.file.display(),
        trainer.data.train.len(),
        plan.train.epochs,
        trainer.steps_per_epoch,
        trainer.batch,
        trainer.weights.trainable_params(),
        support::backend(),
    );
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
        last = Some(info);
    }
    bar.finish_and_clear();
    if let Some(info) = &last {
        let terms: Vec<String> = info.terms.iter().map(|(n, v)| format!("{n} {v:.4}")).collect();
        eprintln!(
            "trained {} steps in {:.0}s ({:.0} img/s); final loss {:.4} ({})",
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
    eprintln!("total time {:.0}s", started.elapsed().as_secs_f64());
    Ok(())
}
