//! Data-parallel training: this process's place among the ranks of a run, and what a step does
//! with the others, on torch.distributed's engine (`sslc-dist`, with the `tch` backend: gloo on
//! libtorch's CPU device, NCCL on CUDA). A run launched without ranks forms no group and runs
//! as ever: every function here is then the identity.
//!
//! The batch of a step is the global batch: each rank takes its slice of the images. Ops that
//! couple the images (the op list marks them) see the whole batch: their per-image inputs are
//! gathered from every rank, the gradient flowing back to each rank's own rows, and their
//! per-image outputs cut back to this rank's rows (`values`). BatchNorm in a training step
//! normalises with the whole batch's statistics (`sum`). Gradients are averaged over the ranks
//! in buckets before the optimiser (`gradients`), so every rank takes the same step.

#[cfg(feature = "tch")]
mod collective;
#[cfg(feature = "tch")]
mod gradients;
mod values;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use burn::tensor::Tensor;

use crate::error::RunError;

pub use values::{gather_inputs, own_rows};

/// How this process was launched: its rank among `size` (`local_rank` on its machine) and
/// where rank 0 hosts the rendezvous store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    pub rank: usize,
    pub size: usize,
    pub local_rank: usize,
    pub addr: String,
    pub port: u16,
    /// A launcher's agent already hosts the store at `addr:port` (torchrun says so with
    /// `TORCHELASTIC_USE_AGENT_STORE`); else rank 0 hosts it.
    pub agent_store: bool,
}

/// The ranks of this run.
#[derive(Debug)]
pub struct World {
    pub rank: usize,
    pub size: usize,
    #[cfg(feature = "tch")]
    group: sslc_dist::Group,
    /// This rank's GPU, with NCCL: host values travel through it.
    #[cfg(feature = "tch")]
    gpu: Option<usize>,
    /// Each rank's host and process id, to name a rank that stopped.
    peers: Vec<(String, u32)>,
}

static WORLD: OnceLock<World> = OnceLock::new();

/// The ranks, when this process is one of several.
pub fn world() -> Option<&'static World> {
    WORLD.get()
}

/// This process's rank (0 alone).
pub fn rank() -> usize {
    world().map_or(0, |w| w.rank)
}

/// How many ranks share the run (1 alone).
pub fn size() -> usize {
    world().map_or(1, |w| w.size)
}

/// Whether this process writes what a run leaves (checkpoints, metrics, plots): rank 0.
pub fn writes() -> bool {
    rank() == 0
}

/// Which engine moves tensors between the ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// gloo over TCP, for libtorch's CPU device.
    Gloo,
    /// NCCL, for libtorch's CUDA devices: this rank's GPU.
    Nccl { gpu: usize },
    /// A backend without collectives (flex, wgpu, ndarray): refused when launched with ranks.
    None,
}

/// Joins the ranks of `launch` with `engine` (a launch of one rank forms a group of one, which
/// runs every collective of the engine). Training across ranks needs libtorch (gloo on its CPU
/// device, NCCL on CUDA).
pub fn join(launch: &Launch, engine: Engine, timeout: std::time::Duration) -> Result<(), RunError> {
    if launch.size == 0 || launch.rank >= launch.size {
        return Err(RunError::Distributed(format!(
            "rank {} of a world of {}",
            launch.rank, launch.size
        )));
    }
    join_group(launch, engine, timeout)
}

#[cfg(feature = "tch")]
fn join_group(launch: &Launch, engine: Engine, timeout: std::time::Duration) -> Result<(), RunError> {
    use sslc_dist::{Backend, Group};
    let (backend, gpu) = match engine {
        Engine::Gloo => (Backend::Gloo, None),
        Engine::Nccl { gpu } => (Backend::Nccl, Some(gpu)),
        Engine::None => return Err(not_libtorch()),
    };
    let store = (launch.addr.as_str(), launch.port, launch.agent_store);
    let group = Group::join_store(backend, store, launch.rank, launch.size, timeout).map_err(|e| {
        RunError::Distributed(format!(
            "rank {} could not join the {} ranks at {}:{}: {e}",
            launch.rank, launch.size, launch.addr, launch.port
        ))
    })?;
    let me = format!("{}:{}", hostname(), std::process::id());
    let failed = |e: String| RunError::Distributed(format!("the rendezvous store failed: {e}"));
    group
        .set(&format!("sslc/peer/{}", launch.rank), me.as_bytes())
        .map_err(failed)?;
    let mut peers = vec![];
    for r in 0..launch.size {
        let bytes = group.get(&format!("sslc/peer/{r}")).map_err(failed)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (host, pid) = text.rsplit_once(':').unwrap_or((&text, "0"));
        peers.push((host.to_string(), pid.parse().unwrap_or(0)));
    }
    let world = World {
        rank: launch.rank,
        size: launch.size,
        group,
        gpu,
        peers,
    };
    WORLD
        .set(world)
        .map_err(|_| RunError::Distributed("this process already joined a group".into()))
}

#[cfg(not(feature = "tch"))]
fn join_group(_: &Launch, _: Engine, _: std::time::Duration) -> Result<(), RunError> {
    Err(not_libtorch())
}

fn not_libtorch() -> RunError {
    RunError::Distributed(
        "training across ranks runs on libtorch only (`--device tch` for gloo on its CPU device, \
         `--device tch:cuda` for NCCL), in a build with the `tch` feature; flex and the other \
         backends have no collectives"
            .into(),
    )
}

/// Whether process `pid` of this machine still runs (a zombie, dead but not yet reaped by its
/// parent, does not).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command's closing parenthesis.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X'),
        Err(_) => false,
    }
}

/// This machine's name, as the peers list shows it.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

impl World {
    /// A collective failed: the failure, naming the ranks that stopped where this machine can
    /// tell (a rank here whose process is gone), else the engine's own message.
    pub fn failed(&self, what: &str, engine: String) -> RunError {
        let here = hostname();
        let gone = || -> Vec<String> {
            self.peers
                .iter()
                .enumerate()
                .filter(|(r, (host, pid))| *r != self.rank && *host == here && *pid > 0 && !alive(*pid))
                .map(|(r, (_, pid))| format!("rank {r} (process {pid})"))
                .collect()
        };
        // The engine may see the socket close before the process is quite gone.
        let mut gone_now = gone();
        for _ in 0..30 {
            if !gone_now.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            gone_now = gone();
        }
        let gone = gone_now;
        let who = match gone.as_slice() {
            [] => "another rank stopped or cannot be reached".to_string(),
            [one] => format!("{one} stopped"),
            many => format!("{} stopped", many.join(", ")),
        };
        RunError::Distributed(format!("{who}; {what} failed on rank {}: {engine}", self.rank))
    }
}

/// Whether this process is in a training step, where BatchNorm's statistics span the ranks.
static STEPPING: AtomicBool = AtomicBool::new(false);
/// Whether BatchNorm uses the whole batch's statistics across ranks (the default) or each
/// rank's own (`train { sync_batchnorm = false }`).
static SYNC_BATCHNORM: AtomicBool = AtomicBool::new(true);

/// Runs `f` as a training step's computation: collectives inside networks take part.
pub fn stepping<T>(f: impl FnOnce() -> T) -> T {
    STEPPING.store(true, Ordering::SeqCst);
    let out = f();
    STEPPING.store(false, Ordering::SeqCst);
    out
}

/// Sets whether BatchNorm synchronises across ranks.
pub fn set_sync_batchnorm(on: bool) {
    SYNC_BATCHNORM.store(on, Ordering::SeqCst);
}

/// Whether BatchNorm now normalises with the statistics of every rank's rows.
pub fn sync_batchnorm() -> bool {
    world().is_some() && STEPPING.load(Ordering::SeqCst) && SYNC_BATCHNORM.load(Ordering::SeqCst)
}

/// `t` summed over the ranks, with the gradient of a sum: what each rank's loss sends back
/// reaches every rank's `t`. The identity alone.
pub fn sum<const D: usize>(t: Tensor<D>) -> Result<Tensor<D>, RunError> {
    #[cfg(feature = "tch")]
    if let Some(w) = world() {
        return collective::sum(w, t);
    }
    Ok(t)
}

/// [`sum`] inside an op, which cannot return an error: a failure is kept for the step
/// ([`check`]) and `t` itself stands in.
pub fn sum_in_op<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    match sum(t.clone()) {
        Ok(s) => s,
        Err(e) => {
            fail(e);
            t
        }
    }
}

/// The rows of `t` (its first axis) from every rank, rank after rank; the gradient of each
/// rank's rows flows back to that rank. `t` alone.
pub fn gather_rows<const D: usize>(t: Tensor<D>) -> Result<Tensor<D>, RunError> {
    #[cfg(feature = "tch")]
    if let Some(w) = world() {
        return collective::gather(w, t);
    }
    Ok(t)
}

/// Averages the trainable networks' gradients over the ranks, in buckets: the bytes moved.
pub fn average_gradients<M: burn::module::Module>(
    nets: &[M],
    grads: &mut burn::optim::GradientsParams,
) -> Result<usize, RunError> {
    #[cfg(feature = "tch")]
    if let Some(w) = world() {
        return gradients::average(w, nets, grads);
    }
    let _ = (nets, grads);
    Ok(0)
}

/// `values` summed over the ranks (a step's loss terms, a stop request): the same on every rank.
pub fn sum_host(values: &[f64]) -> Result<Vec<f64>, RunError> {
    #[cfg(feature = "tch")]
    if let Some(w) = world() {
        return collective::sum_host(w, values);
    }
    Ok(values.to_vec())
}

/// Every rank's `value`, in rank order.
pub fn gather_host(value: f64) -> Result<Vec<f64>, RunError> {
    #[cfg(feature = "tch")]
    if let Some(w) = world() {
        return collective::gather_host(w, value);
    }
    Ok(vec![value])
}

/// The first collective that failed inside an op (an op's forward or backward cannot return an
/// error), for the step to report.
static FAILURE: std::sync::Mutex<Option<RunError>> = std::sync::Mutex::new(None);

/// Keeps `e` as the step's failure, unless one is kept already.
fn fail(e: RunError) {
    let mut slot = FAILURE.lock().unwrap_or_else(|p| p.into_inner());
    slot.get_or_insert(e);
}

/// The failure of a collective since the last check, if any.
pub fn check() -> Result<(), RunError> {
    match FAILURE.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
