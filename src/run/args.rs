//! The options of `sslc run`, and how often its periodic checkpoints are written.

use std::path::{Path, PathBuf};

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
    pub(super) fn due(self, step: u64, steps_per_epoch: u64) -> bool {
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
    /// Where the run writes: `--out`, else the folder resumed, else runs/<recipe name>.
    pub(super) fn out_dir(&self, recipe: &str) -> PathBuf {
        self.out.clone().or_else(|| self.resume.clone()).unwrap_or_else(|| {
            let stem = Path::new(recipe).file_stem().map(|s| s.to_string_lossy().into_owned());
            PathBuf::from("runs").join(stem.unwrap_or_else(|| "run".into()))
        })
    }
}
