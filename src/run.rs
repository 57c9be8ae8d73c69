//! The `run` command: compile, refuse a precision the device cannot run, train with a progress
//! bar, log every step to `metrics.jsonl`, report the probe on the trained network next to the
//! untrained one, save checkpoints (periodically with `--checkpoint-every`, and at the end),
//! continue a run from its newest checkpoint (`--resume`), and (with `--eval-every`) run the
//! full evaluation along the way.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sslc_runtime::checkpoint::Checkpoint;
use sslc_runtime::checkpoint::folder::{self, Folder};
use sslc_runtime::device::Device;
use sslc_runtime::eval::{Eval, Suite};
use sslc_runtime::loader::Loading;
use sslc_runtime::{RunError, StepInfo, Trainer};

use crate::interrupt;
use crate::metrics::Metrics;

/// Options of `sslc run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The recipe to train (optional with `--resume`: the checkpoint carries its recipe).
    #[arg(required_unless_present = "resume")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub overrides: crate::settings::Overrides,
    #[command(flatten)]
    pub device: crate::device::DeviceArg,
    /// Where the checkpoints, `metrics.jsonl` and evaluations (`eval.json`) go
    /// [default: the folder given to `--resume`, else runs/<recipe name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run the full evaluation (`sslc eval`) every N epochs and at the end, saving a
    /// checkpoint each time; 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub eval_every: u64,
    /// Write a checkpoint into OUT/checkpoints every N epochs (`2`) or steps (`500steps`);
    /// 0 turns it off. Each is written atomically (temporary file, sync, rename).
    #[arg(long, value_name = "N[steps]", default_value = "0", value_parser = parse_every)]
    pub checkpoint_every: Every,
    /// How many periodic checkpoints to keep (the newest).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub keep: usize,
    /// Continue the run whose output folder is DIR from its newest readable checkpoint
    /// (weights, optimiser, step, generators and any state the run keeps).
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Threads that decode, generate and augment the images of upcoming batches
    /// [default: one per core].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub workers: Option<u64>,
    /// How many batches are made ahead of the step that uses them (each is held in memory on
    /// the device until its step).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub prefetch: u64,
    /// Train as N ranks on this machine, one process each (data-parallel: `data.batch` is the
    /// global batch, each rank takes its slice). On libtorch: gloo on its CPU device, NCCL with
    /// one GPU per rank on `tch:cuda`. torchrun and srun launch ranks through the environment
    /// instead (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub nproc: Option<u64>,
    /// Count the libtorch operators step N dispatches (forward, backward, optimiser, EMA; with
    /// libtorch's own observer, as torch.profiler counts them) and write them to OUT/ops.json.
    /// Needs `--device tch`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count_ops: Option<u64>,
}

/// How often periodic checkpoints are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    Off,
    Epochs(u64),
    Steps(u64),
}

impl Every {
    /// Whether a checkpoint is due after `step` steps.
    fn due(self, step: u64, steps_per_epoch: u64) -> bool {
        match self {
            Every::Off => false,
            Every::Epochs(n) => step.is_multiple_of(n * steps_per_epoch.max(1)),
            Every::Steps(n) => step.is_multiple_of(n),
        }
    }
}

fn parse_every(s: &str) -> Result<Every, String> {
    let t = s.trim();
    let (number, steps) = match t.strip_suffix("steps").or_else(|| t.strip_suffix("step")) {
        Some(n) => (n, true),
        None => (
            t.strip_suffix("epochs")
                .or_else(|| t.strip_suffix("epoch"))
                .unwrap_or(t),
            false,
        ),
    };
    let n: u64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a count of epochs (`2`, `2epochs`) or steps (`500steps`)"))?;
    Ok(match (n, steps) {
        (0, _) => Every::Off,
        (n, true) => Every::Steps(n),
        (n, false) => Every::Epochs(n),
    })
}

impl RunArgs {
    fn out_dir(&self, recipe: &str) -> PathBuf {
        self.out.clone().or_else(|| self.resume.clone()).unwrap_or_else(|| {
            let stem = Path::new(recipe).file_stem().map(|s| s.to_string_lossy().into_owned());
            PathBuf::from("runs").join(stem.unwrap_or_else(|| "run".into()))
        })
    }
}

/// The newest readable checkpoint of the run in `dir`; each newer one that was refused is
/// named with its reason.
fn newest(dir: &Path) -> Result<Checkpoint, ExitCode> {
    let folder = folder::of_run(dir, 0);
    let (found, refused) = folder.newest();
    for e in &refused {
        eprintln!("warning: {e}; trying an older checkpoint");
    }
    found.ok_or_else(|| {
        eprintln!(
            "error: {} holds no checkpoint to resume from{}",
            folder.dir.display(),
            if refused.is_empty() {
                " (write them with `--checkpoint-every`)"
            } else {
                " that can be read"
            }
        );
        ExitCode::from(2)
    })
}

/// This command's arguments without `--nproc`: what each rank of a launch runs.
fn rank_args() -> Vec<String> {
    let mut out = vec![];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--nproc" {
            args.next();
        } else if !a.starts_with("--nproc=") {
            out.push(a);
        }
    }
    out
}

pub fn run(args: RunArgs) -> ExitCode {
    let launch = match crate::launch::from_env() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(n), None) = (args.nproc, &launch) {
        return crate::launch::spawn_ranks(n as usize, &rank_args());
    }
    let resumed = match &args.resume {
        Some(dir) => match newest(dir) {
            Ok(c) => Some(c),
            Err(code) => return code,
        },
        None => None,
    };
    let loaded = match (&args.file, &resumed) {
        (Some(file), _) => crate::load::load(file, &args.overrides).map(|l| (file.display().to_string(), l)),
        (None, Some(ckpt)) => {
            crate::load::load_carried(ckpt, &args.overrides).map(|l| (ckpt.meta.recipe_file.clone(), l))
        }
        (None, None) => return ExitCode::from(2),
    };
    let (recipe, (src, compiled)) = match loaded {
        Err(code) => return code,
        Ok(c) => c,
    };
    let Some(plan) = compiled.plan else {
        return ExitCode::FAILURE;
    };
    crate::crash::inject();
    let mut device_arg = args.device.clone();
    let engine = launch.as_ref().map(|l| {
        let name = device_arg
            .device
            .clone()
            .or_else(|| std::env::var("SSLC_DEVICE").ok())
            .unwrap_or_default();
        let (engine, rank_device) = crate::launch::engine(&name, l);
        if rank_device.is_some() {
            device_arg.device = rank_device;
        }
        engine
    });
    let device = match device_arg.resolve_or_exit() {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let (Some(l), Some(engine)) = (&launch, engine)
        && let Err(e) = sslc_runtime::dist::join(l, engine, crate::launch::timeout())
    {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    sslc_runtime::dist::set_sync_batchnorm(plan.train.sync_batchnorm);
    let interrupted = interrupt::install();
    match train(&plan, &src, &recipe, resumed.as_ref(), &args, device, &interrupted) {
        Ok(Ended::Interrupted) => ExitCode::from(130),
        other => crate::load::finish(other.map(|_| ())),
    }
}

/// How a run ended without an error.
enum Ended {
    Finished,
    /// Stopped by Ctrl-C after a step, with its checkpoint written.
    Interrupted,
}

fn train(
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
/// Takes the next step counting the operators libtorch dispatches, and writes them to
/// `out/ops.json` (rank 0).
fn count_ops(trainer: &mut Trainer, out: &Path, writes: bool) -> Result<(), RunError> {
    let (taken, counts) = sslc_opcount::count(|| trainer.advance()).map_err(RunError::Unsupported)?;
    taken?;
    if writes {
        let total = counts.aten();
        let json = serde_json::json!({ "step": trainer.step, "aten": total, "ops": counts.0 });
        let path = out.join("ops.json");
        std::fs::create_dir_all(out)
            .and_then(|()| std::fs::write(&path, format!("{json:#}\n")))
            .map_err(|e| RunError::Data {
                path: path.display().to_string(),
                problem: format!("cannot be written: {e}"),
            })?;
        eprintln!(
            "step {}: {total} ATen operators ({} kinds), in {}",
            trainer.step,
            counts.0.len(),
            path.display()
        );
    }
    Ok(())
}

/// Writes a step whose losses were read to the metrics, says its job notes and a collapse first
/// seen, and counts the seconds it waited for its views.
fn record(
    info: &StepInfo,
    rate: f64,
    metrics: &mut Option<Metrics>,
    warned: &mut Vec<String>,
    waited: &mut f64,
    bar: &ProgressBar,
    writes: bool,
) -> Result<(), RunError> {
    for note in &info.notes {
        bar.suspend(|| eprintln!("{note}"));
    }
    *waited += info.data_wait;
    if let Some(m) = metrics {
        m.step(info, rate)?;
    }
    // A collapse is said once, when first seen, and logged.
    for warning in info.health.iter().flat_map(|h| h.warnings()) {
        let kind = warning.split(':').next().unwrap_or_default().to_string();
        if writes && !warned.contains(&kind) {
            bar.suspend(|| eprintln!("warning: step {}: {warning}", info.step));
            if let Some(m) = metrics {
                m.warning(info.step, &warning)?;
            }
            warned.push(kind);
        }
    }
    Ok(())
}

fn periodic(folder: &Folder, trainer: &Trainer, recipe: &str, src: &str) -> Result<(), RunError> {
    trainer.save(&folder.path(trainer.step), recipe, src)?;
    folder.prune()
}
