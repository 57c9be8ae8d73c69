//! The `run` command: compile, refuse a precision the device cannot run, train with a progress
//! bar, log every step to `metrics.jsonl`, report the probe on the trained network next to the
//! untrained one, save checkpoints (periodically with `--checkpoint-every`, and at the end),
//! continue a run from its newest checkpoint (`--resume`), and (with `--eval-every`) run the
//! full evaluation along the way.

use std::path::Path;
use std::process::ExitCode;

use sslc_runtime::checkpoint::Checkpoint;
use sslc_runtime::checkpoint::folder;

use crate::interrupt;

mod args;
mod steps;
mod train;

pub use args::RunArgs;
use train::{Ended, train};

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
