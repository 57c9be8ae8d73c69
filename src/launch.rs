//! How a run is launched across ranks: the environment torchrun and Slurm give each process
//! (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `MASTER_ADDR`, `MASTER_PORT`; `SLURM_PROCID`,
//! `SLURM_NTASKS`, `SLURM_LOCALID` under `srun`), and `sslc run --nproc N`, which starts N ranks
//! on this machine, names a rank that stops, and stops the others.

use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant};

use sslc_runtime::dist::{Engine, Launch};

/// The port rank 0's store listens on when none is given (torchrun's).
const DEFAULT_PORT: u16 = 29500;

/// How long a rank waits for the others at the rendezvous and in each collective, unless
/// `SSLC_DIST_TIMEOUT` (seconds) says otherwise: PyTorch's default.
pub fn timeout() -> Duration {
    let secs = std::env::var("SSLC_DIST_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1800);
    Duration::from_secs(secs.max(1))
}

fn number(var: &str) -> Result<Option<usize>, String> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{var}={v} is not a count")),
        _ => Ok(None),
    }
}

/// This process's launch from its environment: torchrun's variables, else Slurm's when `srun`
/// started more than one task, else none (one process, no group).
pub fn from_env() -> Result<Option<Launch>, String> {
    let port = match std::env::var("MASTER_PORT") {
        Ok(p) if !p.trim().is_empty() => p.trim().parse().map_err(|_| format!("MASTER_PORT={p} is not a port"))?,
        _ => DEFAULT_PORT,
    };
    if let Some(size) = number("WORLD_SIZE")? {
        let rank = number("RANK")?.ok_or("WORLD_SIZE is set but RANK is not")?;
        return Ok(Some(Launch {
            rank,
            size,
            local_rank: number("LOCAL_RANK")?.unwrap_or(rank),
            addr: std::env::var("MASTER_ADDR").unwrap_or_else(|_| "127.0.0.1".into()),
            port,
            agent_store: std::env::var("TORCHELASTIC_USE_AGENT_STORE").is_ok_and(|v| v.eq_ignore_ascii_case("true")),
        }));
    }
    match number("SLURM_NTASKS")? {
        Some(size) if size > 1 => {
            let rank = number("SLURM_PROCID")?.ok_or("SLURM_NTASKS is set but SLURM_PROCID is not")?;
            let addr = std::env::var("MASTER_ADDR")
                .or_else(|_| std::env::var("SLURM_LAUNCH_NODE_IPADDR"))
                .map_err(|_| "under srun, set MASTER_ADDR to the first node's address (see docs/distributed.md)")?;
            Ok(Some(Launch {
                rank,
                size,
                local_rank: number("SLURM_LOCALID")?.unwrap_or(0),
                addr,
                port,
                agent_store: false,
            }))
        }
        _ => Ok(None),
    }
}

/// The engine that moves tensors for device `name`, and the device a rank trains on: gloo for
/// libtorch's CPU device; NCCL for `tch:cuda`, each rank on the GPU of its local rank.
pub fn engine(name: &str, launch: &Launch) -> (Engine, Option<String>) {
    match name.split(':').collect::<Vec<_>>().as_slice() {
        ["tch"] | ["tch", "cpu"] => (Engine::Gloo, None),
        ["tch", "cuda", ..] => (
            Engine::Nccl { gpu: launch.local_rank },
            Some(format!("tch:cuda:{}", launch.local_rank)),
        ),
        _ => (Engine::None, None),
    }
}

/// A port nothing on this machine listens on now.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port for the ranks' store: {e}"))
}

/// Sends `signal` (`INT`, `TERM`) to `child`, through `kill(1)`: this crate has no `unsafe`.
fn signal(child: &Child, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
}

/// Asks `child` to stop after its step, as Ctrl-C does.
fn terminate(child: &Child) {
    signal(child, "TERM");
}

/// Runs this same command as `n` ranks on this machine (rank 0 hosting the store on loopback)
/// and waits for them. When a rank stops with an error or a signal, it is named and the others
/// get SIGTERM, then, after `grace`, SIGKILL; the status is the first failing rank's.
pub fn spawn_ranks(n: usize, args: &[String]) -> ExitCode {
    let port = match free_port() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot find this program to start its ranks: {e}");
            return ExitCode::from(2);
        }
    };
    // Each rank runs in a process group of its own; the launcher passes Ctrl-C on to every
    // rank once, so they all stop after the same step (a second Ctrl-C stops them at once).
    let interrupts = crate::interrupt::counted();
    let mut passed_on = 0;
    let mut ranks: Vec<Child> = vec![];
    for rank in 0..n {
        use std::os::unix::process::CommandExt;
        let mut command = Command::new(&exe);
        // As torchrun does: the machine's cores shared among the ranks, unless the caller says.
        if std::env::var_os("OMP_NUM_THREADS").is_none() {
            let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
            command.env("OMP_NUM_THREADS", (cores / n).max(1).to_string());
        }
        let child = command
            .args(args)
            .process_group(0)
            .env("RANK", rank.to_string())
            .env("LOCAL_RANK", rank.to_string())
            .env("WORLD_SIZE", n.to_string())
            .env("MASTER_ADDR", "127.0.0.1")
            .env("MASTER_PORT", port.to_string())
            .spawn();
        match child {
            Ok(c) => ranks.push(c),
            Err(e) => {
                eprintln!("error: rank {rank} could not start: {e}");
                ranks.iter().for_each(terminate);
                return ExitCode::from(2);
            }
        }
    }
    let grace = Duration::from_secs(30);
    let mut status: Vec<Option<i32>> = vec![None; n];
    let mut failed: Option<i32> = None;
    let mut stopped_at: Option<Instant> = None;
    while status.iter().any(Option::is_none) {
        let now = interrupts.load(std::sync::atomic::Ordering::SeqCst);
        while passed_on < now {
            for (rank, child) in ranks.iter().enumerate() {
                if status[rank].is_none() {
                    signal(child, "INT");
                }
            }
            passed_on += 1;
        }
        for (rank, child) in ranks.iter_mut().enumerate() {
            if status[rank].is_some() {
                continue;
            }
            let Ok(Some(exit)) = child.try_wait() else { continue };
            // A signal counts as a failure of its own kind.
            let code = exit.code().unwrap_or(-1);
            status[rank] = Some(code);
            // Ctrl-C ends every rank with 130 after the same step: nothing to stop.
            if code != 0 && code != INTERRUPTED && failed.is_none() {
                let how = match exit.code() {
                    Some(c) => format!("exited with status {c}"),
                    None => "was killed by a signal".into(),
                };
                eprintln!(
                    "sslc: rank {rank} (process {}) {how}; stopping the other ranks",
                    child.id()
                );
                failed = Some(code);
            }
        }
        if failed.is_some() {
            let since = *stopped_at.get_or_insert_with(|| {
                for (rank, child) in ranks.iter().enumerate() {
                    if status[rank].is_none() {
                        terminate(child);
                    }
                }
                Instant::now()
            });
            if since.elapsed() > grace {
                for (rank, child) in ranks.iter_mut().enumerate() {
                    if status[rank].is_none() {
                        let _ = child.kill();
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let code = failed
        .or_else(|| status.iter().flatten().copied().find(|c| *c != 0))
        .unwrap_or(0);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The exit status of a run stopped by Ctrl-C.
const INTERRUPTED: i32 = 130;
