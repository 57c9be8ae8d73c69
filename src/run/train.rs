//! Training a compiled recipe: the trainer, the baselines, the steps with their progress bar,
//! metrics, checkpoints and evaluations, and the summary at the end.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sslc_runtime::checkpoint::Checkpoint;
use sslc_runtime::checkpoint::folder::{self, Folder};
use sslc_runtime::device::Device;
use sslc_runtime::eval::{Eval, Suite};
use sslc_runtime::loader::Loading;
use sslc_runtime::{RunError, Trainer};

use super::args::RunArgs;
use super::steps::{count_ops, record};
use crate::metrics::Metrics;

/// How a run ended without an error.
pub(super) enum Ended {
    Finished,
    /// Stopped by Ctrl-C after a step, with its checkpoint written.
    Interrupted,
}

pub(super) fn train(
    plan: &sslc_compiler::plan::Plan,
    src: &str,
    recipe: &str,
    resumed: Option<&Checkpoint>,
    args: &RunArgs,
    (device, device_name): (Device, String),
    interrupted: &AtomicBool,
) -> Result<Ended, RunError> {
    let started = Instant::now();
    sslc_runtime::precision::supported(plan.train.precision, &device, &device_name)?;
    if args.count_ops.is_some() && !device_name.starts_with("tch") {
        return Err(RunError::Unsupported(format!(
            "`--count-ops` counts libtorch's operators, and device {device_name} is not libtorch: add `--device tch`"
        )));
    }
    let out = args.out_dir(recipe);
    let checkpoints = folder::of_run(&out, args.keep);
    // Across ranks, rank 0 writes and reports; the others train beside it, quietly.
    let writes = sslc_runtime::dist::writes();
    let suite = if args.eval_every > 0 && writes {
        eprintln!("preparing the evaluation (raw-pixel and untrained baselines)...");
        Some(Suite::new(plan, Eval::default(), &device)?)
    } else {
        None
    };
    let mut reports = vec![];
    let mut loading = Loading {
        depth: args.prefetch as usize,
        ..Loading::default()
    };
    if let Some(n) = args.workers {
        loading.workers = n as usize;
    }
    let mut trainer = Trainer::new(plan, &device)?.with_loading(loading);
    let ranks = sslc_runtime::dist::size();
    if writes {
        eprintln!(
            "{}: {} training images, {} epochs × {} steps of {} images{}, {} trainable parameters, device {}",
            recipe,
            trainer.data.len(),
            plan.train.epochs,
            trainer.steps_per_epoch,
            trainer.batch,
            if ranks > 1 {
                format!(" ({ranks} ranks of {} each)", trainer.batch / ranks)
            } else {
                String::new()
            },
            trainer.weights.trainable_params(),
            device_name,
        );
    }
    if (trainer.batch as u64) < plan.batch && writes {
        eprintln!(
            "warning: the batch of {} is larger than the {} training images; each step takes all of them",
            plan.batch, trainer.batch
        );
    }
    // With an evaluation suite, its untrained baseline is the recipe's probe on the same weights.
    let before = match &suite {
        Some(suite) => suite.untrained_probe(),
        None if writes => trainer.probe()?,
        None => None,
    };
    if let Some(acc) = before {
        eprintln!("probe on the untrained network: {:.1}%", acc * 100.0);
    }
    if let Some(ckpt) = resumed {
        trainer.restore(ckpt)?;
        eprintln!("resuming from {} after step {}", ckpt.path(), trainer.step);
    }
    if resumed.is_none() {
        // A term that reaches a network and sends it nothing trains nothing there: say so now.
        let report = trainer.grads()?;
        for line in crate::grads::warnings(&report).into_iter().filter(|_| writes) {
            eprintln!("{line}");
        }
        if let (Some((loss, branch, net)), true) = (report.dead().into_iter().next(), args.overrides.deny_warnings) {
            return Err(RunError::DeadTerm {
                step: report.step,
                loss,
                network: format!("{branch}.{net}"),
            });
        }
    }
    let mut metrics = if writes {
        Some(Metrics::open(&out, trainer.step)?)
    } else {
        None
    };
    let interactive = std::io::stderr().is_terminal() && writes;
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
    // Seconds the steps spent waiting for their views.
    let mut waited = 0.0f64;
    let mut last = None;
    let mut warned: Vec<String> = vec![];
    // Images per second after each step whose losses are not read yet.
    let mut rates = std::collections::VecDeque::new();
    let log_every = plan.train.log_every.max(1);
    while trainer.step < trainer.total_steps {
        // The losses stay on the device until the log interval, an epoch's end or a checkpoint.
        let advanced = match args.count_ops {
            Some(n) if n == trainer.step + 1 => count_ops(&mut trainer, &out, writes),
            _ => trainer.advance(),
        };
        let (infos, checked) = match advanced {
            Ok(()) => {
                let step = trainer.step;
                let due = step % log_every == 0
                    || step == trainer.total_steps
                    || step % trainer.steps_per_epoch == 0
                    || args.checkpoint_every.due(step, trainer.steps_per_epoch);
                if due { trainer.read() } else { (vec![], Ok(())) }
            }
            Err(e) => (vec![], Err(e)),
        };
        images += trainer.batch;
        rates.push_back(images as f64 / train_start.elapsed().as_secs_f64().max(1e-9));
        bar.inc(1);
        for info in infos {
            let rate = rates.pop_front().unwrap_or_default();
            record(&info, rate, &mut metrics, &mut warned, &mut waited, &bar, writes)?;
            let elapsed = train_start.elapsed().as_secs_f64().max(1e-9);
            let msg = format!(
                "epoch {:.2} loss {:.4} lr {:.2e} {:.0} img/s, data wait {:.0}%",
                info.epoch,
                info.loss,
                info.lr,
                rate,
                100.0 * waited / elapsed
            );
            bar.set_message(msg.clone());
            let logged = info.step % log_every == 0 || info.step == trainer.total_steps;
            if logged {
                // Across ranks, every rank must hold the same weights.
                trainer.replicas_agree()?;
            }
            if !interactive && logged && writes {
                eprintln!("step {}/{} {msg}", info.step, trainer.total_steps);
            }
            last = Some(info);
        }
        if let Err(e) = checked {
            if let Some((step, path)) = checkpoints.list().first() {
                bar.suspend(|| eprintln!("the last checkpoint, after step {step}, stays at {}", path.display()));
            }
            return Err(e);
        }
        let epoch_done = trainer.step % trainer.steps_per_epoch == 0;
        let epoch = trainer.step / trainer.steps_per_epoch;
        if let Some(suite) = &suite
            && epoch_done
            && (epoch % args.eval_every == 0 || trainer.step == trainer.total_steps)
        {
            let report = bar.suspend(|| -> Result<_, RunError> {
                let report = suite.report(&trainer.weights, recipe, trainer.step, epoch as f64, &device)?;
                eprint!("{}", report.table());
                Ok(report)
            })?;
            reports.push(report);
            crate::eval::write_json(&out.join("eval.json"), &reports)?;
            periodic(&checkpoints, &trainer, recipe, src)?;
        } else if args.checkpoint_every.due(trainer.step, trainer.steps_per_epoch) && writes {
            periodic(&checkpoints, &trainer, recipe, src)?;
        }
        // Every rank stops after the same step: any rank's Ctrl-C stops them all.
        let asked = f64::from(u8::from(interrupted.load(Ordering::SeqCst)));
        if sslc_runtime::dist::sum_host(&[asked])?[0] > 0.0 {
            let (infos, checked) = trainer.read();
            for info in infos {
                let rate = rates.pop_front().unwrap_or_default();
                record(&info, rate, &mut metrics, &mut warned, &mut waited, &bar, writes)?;
            }
            checked?;
            bar.finish_and_clear();
            if !writes {
                return Ok(Ended::Interrupted);
            }
            let path = checkpoints.path(trainer.step);
            if !path.exists() {
                periodic(&checkpoints, &trainer, recipe, src)?;
            }
            eprintln!(
                "interrupted after step {}; checkpoint {} (continue with `sslc run --resume {}`)",
                trainer.step,
                path.display(),
                out.display()
            );
            return Ok(Ended::Interrupted);
        }
    }
    bar.finish_and_clear();
    if !writes {
        return Ok(Ended::Finished);
    }
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
    // An evaluation at the last step already ran the recipe's probe on these weights.
    let evaluated = suite
        .as_ref()
        .zip(reports.last())
        .filter(|(_, r)| r.step == trainer.step);
    let (pixels, after) = match evaluated {
        Some((suite, report)) => suite.probes_in(report),
        None => (trainer.probe_pixels()?, trainer.probe()?),
    };
    if let (Some(b), Some(a), Some(p), Some(cfg)) = (before, after, pixels, &plan.train.probe) {
        match &plan.train.probe_value {
            Some(name) => println!("{cfg} of `{name}` on {} held-out images", trainer.data.holdout.len()),
            None => println!("{cfg} on {} held-out images", trainer.data.holdout.len()),
        }
        println!("  raw pixels {:5.1}%", p * 100.0);
        println!("  untrained  {:5.1}%", b * 100.0);
        println!("  trained    {:5.1}%", a * 100.0);
        for (name, acc) in [("raw pixels", p), ("untrained", b), ("trained", a)] {
            if let Some(m) = &mut metrics {
                m.probe(trainer.step, name, acc)?;
            }
        }
    }
    let png = out.join("metrics.png");
    let curves = crate::metrics::read(&out).map(|lines| crate::plot::Curves::from_lines(&lines));
    match curves.and_then(|c| crate::plot::write(&png, recipe, &c)) {
        Ok(()) => eprintln!("loss curves {}", png.display()),
        Err(e) => eprintln!("warning: the loss curves could not be drawn: {e}"),
    }
    let ckpt = out.join(FINAL);
    trainer.save(&ckpt, recipe, src)?;
    eprintln!(
        "checkpoint {} (evaluate it with `sslc eval {}`)",
        ckpt.display(),
        ckpt.display()
    );
    eprintln!("total time {:.0}s", started.elapsed().as_secs_f64());
    Ok(Ended::Finished)
}

/// The final checkpoint's file name in a run's output folder.
const FINAL: &str = "final.safetensors";

/// Writes the checkpoint after the trainer's step into the run's folder, keeping the newest.
fn periodic(folder: &Folder, trainer: &Trainer, recipe: &str, src: &str) -> Result<(), RunError> {
    trainer.save(&folder.path(trainer.step), recipe, src)?;
    folder.prune()
}
