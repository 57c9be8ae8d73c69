//! The `export` command: one network of a checkpoint as a file timm, torchvision (or any
//! safetensors reader) loads, with an optional sample of inputs and sslc's outputs to check the
//! port against.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use sslc_runtime::RunError;
use sslc_runtime::export::{self, Target};

#[derive(Clone, Copy, ValueEnum)]
pub enum To {
    /// timm's `VisionTransformer` state dict; its constructor arguments in the metadata
    /// (`timm.config`).
    Timm,
    /// torchvision's `ResNet` state dict, classifier left out (`model.fc = Identity()`); its
    /// constructor arguments in the metadata (`torchvision.config`).
    Torchvision,
    /// The parameters as sslc stores them (burn's names and layouts).
    Safetensors,
}

/// Options of `sslc export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// A checkpoint written by `sslc run` (e.g. `runs/byol/final.safetensors`).
    pub checkpoint: PathBuf,
    /// The network to export, as `branch.network` (e.g. `target.backbone`).
    #[arg(long, value_name = "BRANCH.NETWORK")]
    pub net: String,
    /// The format [default: timm for a `vit` (safetensors for one with rotary positions), torchvision for a `resnet`, safetensors for the
    /// rest].
    #[arg(long, value_enum)]
    pub to: Option<To>,
    /// Where the file goes [default: beside the checkpoint, `<branch.network>.<target>.safetensors`].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write N held-out images of the recipe's data (`input`) and sslc's output on them
    /// (`tokens`) to FILE, to check the port where it is loaded.
    #[arg(long, value_names = ["N", "FILE"], num_args = 2)]
    pub sample: Vec<String>,
    #[command(flatten)]
    pub device: crate::device::DeviceArg,
}

pub fn run(args: ExportArgs) -> ExitCode {
    let (ckpt, plan) = match crate::load::load_checkpoint(&args.checkpoint, &Default::default()) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let sample = match &args.sample[..] {
        [] => None,
        [n, file] => match n.parse::<usize>() {
            Ok(n) if n > 0 => Some((n, PathBuf::from(file))),
            _ => {
                eprintln!("error: `--sample {n} {file}`: the count must be a positive integer");
                return ExitCode::from(2);
            }
        },
        _ => return ExitCode::from(2),
    };
    let target = match args.to {
        Some(To::Timm) => Target::Timm,
        Some(To::Torchvision) => Target::Torchvision,
        Some(To::Safetensors) => Target::Safetensors,
        // A network the recipe lacks is named by the export itself, with those it has.
        None => export::declared(&plan, &args.net).map_or(Target::Safetensors, |n| Target::for_kind(&n.kind)),
    };
    let out = args.out.clone().unwrap_or_else(|| {
        let suffix = match target {
            Target::Timm => "timm",
            Target::Torchvision => "torchvision",
            Target::Safetensors => "sslc",
        };
        args.checkpoint
            .with_file_name(format!("{}.{suffix}.safetensors", args.net))
    });
    crate::load::finish((|| -> Result<(), RunError> {
        let exported = export::export(&plan, &ckpt, &args.net, target)?;
        exported.write(&out)?;
        eprintln!("wrote {} ({} tensors)", out.display(), exported.tensors.len());
        if let Some((n, file)) = sample {
            let (device, _) = args.device.resolve().map_err(RunError::Export)?;
            let s = export::sample(&plan, &ckpt, &args.net, n, &device)?;
            s.write(&file)?;
            eprintln!("wrote {} (inputs and sslc's outputs)", file.display());
        }
        Ok(())
    })())
}
