//! Training across ranks (libtorch's CPU device, gloo on loopback): two ranks take the steps one
//! process takes with the same global batch, and a rank that dies stops the other, which names
//! it; the run then resumes at one rank and finishes.
#![cfg(feature = "tch")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::sslc;
use sslc_runtime::checkpoint::Checkpoint;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslc-dist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `sslc run` of `recipe` into `out` with `sets`, `extra` arguments, on libtorch's CPU device.
fn run(recipe: &str, out: &Path, sets: &[&str], extra: &[&str]) {
    let mut cmd = sslc();
    cmd.args(["run", recipe, "--device", "tch", "--out", out.to_str().unwrap()]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let output = cmd.args(extra).output().expect("sslc runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{recipe} {extra:?}:\n{stderr}");
}

/// Each step's total loss, from `metrics.jsonl`.
fn losses(dir: &Path) -> Vec<f64> {
    std::fs::read_to_string(dir.join("metrics.jsonl"))
        .expect("metrics.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("loss").and_then(serde_json::Value::as_f64))
        .collect()
}

/// Every network's parameters of the final checkpoint, flattened.
fn weights(dir: &Path) -> BTreeMap<String, Vec<f32>> {
    let ckpt = Checkpoint::read(&dir.join("final.safetensors")).expect("the final checkpoint");
    ckpt.networks()
        .into_iter()
        .map(|n| {
            let flat = ckpt
                .network(n)
                .expect("a network")
                .into_iter()
                .flat_map(|s| s.values)
                .collect();
            (n.to_string(), flat)
        })
        .collect()
}

/// 20 steps of each recipe, in one process and as two ranks with the same global batch: every
/// step's loss agrees within 1e-4 relative, and each network's final weights (flattened) within
/// 1e-2 of their norm. The weights meet 1e-4 after one step, not after twenty: the two runs add
/// the batch's gradients in another order, and training magnifies those rounding differences
/// (AdamW most, on the parameters whose gradient is zero up to rounding: a bias just before
/// BatchNorm, attention's key bias), as any two such runs would; docs/distributed.md has the
/// figures.
#[test]
fn two_ranks_take_the_steps_one_process_takes() {
    let cases: [(&str, &[&str]); 5] = [
        // BatchNorm over the whole batch in the projector and predictor, an EMA target.
        ("recipes/byol.ssl", &["data.source.count=1280"]),
        // Negatives gathered from both ranks.
        ("recipes/simclr.ssl", &["data.source.count=640"]),
        // A queue filled with both ranks' keys.
        ("recipes/mocov2.ssl", &["data.source.count=640"]),
        // A centre of both ranks' teacher outputs.
        ("recipes/dino.ssl", &["data.source.count=640"]),
        // The cross-correlation of the whole batch, LARS.
        ("tests/run/tiny_barlow.ssl", &["data.source.count=640"]),
    ];
    for (recipe, sets) in cases {
        let mut sets: Vec<&str> = sets.to_vec();
        sets.extend(["train.log_every=1", "train.epochs=2"]);
        let name = Path::new(recipe).file_stem().unwrap().to_string_lossy().into_owned();
        let (one, two) = (scratch(&format!("{name}-1")), scratch(&format!("{name}-2")));
        run(recipe, &one, &sets, &[]);
        run(recipe, &two, &sets, &["--nproc", "2"]);
        let (a, b) = (losses(&one), losses(&two));
        assert_eq!(a.len(), 20, "{recipe}: steps");
        assert_eq!(a.len(), b.len(), "{recipe}: steps");
        for (step, (x, y)) in a.iter().zip(&b).enumerate() {
            assert!(
                (x - y).abs() <= 1e-4 * x.abs().max(1e-6),
                "{recipe}: step {} loss {x} in one process, {y} as two ranks",
                step + 1
            );
        }
        let (wa, wb) = (weights(&one), weights(&two));
        assert_eq!(wa.keys().collect::<Vec<_>>(), wb.keys().collect::<Vec<_>>());
        for (net, x) in &wa {
            let y = &wb[net];
            let norm = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>().sqrt();
            let diff = x
                .iter()
                .zip(y)
                .map(|(p, q)| f64::from(p - q).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!(
                diff <= 1e-2 * norm,
                "{recipe}: `{net}` differs by {:.2e} of its norm",
                diff / norm
            );
        }
    }
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let mut out = vec![];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok());
        if parent == Some(pid) {
            out.push(child);
        }
    }
    out
}

#[test]
fn a_rank_killed_mid_run_stops_the_other_by_name_and_the_run_resumes_alone() {
    let out = scratch("fault");
    let sets = ["--set", "train.epochs=100", "--set", "train.log_every=1"];
    let mut launcher = sslc()
        .args(["run", "tests/run/tiny_barlow.ssl", "--device", "tch", "--nproc", "2"])
        .args(["--out", out.to_str().unwrap(), "--checkpoint-every", "1"])
        .args(sets)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the launcher starts");
    // Wait for a checkpoint, then kill rank 1 (the second rank the launcher started).
    let started = Instant::now();
    let checkpoints = out.join("checkpoints");
    while std::fs::read_dir(&checkpoints).map_or(0, |d| d.count()) < 2 {
        assert!(started.elapsed() < Duration::from_secs(120), "no checkpoint came");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut ranks = children(launcher.id());
    ranks.sort_unstable();
    assert_eq!(ranks.len(), 2, "two ranks run");
    let victim = ranks[1];
    std::process::Command::new("kill")
        .args(["-KILL", &victim.to_string()])
        .status()
        .expect("kill");
    let killed = Instant::now();
    let status = loop {
        if let Some(s) = launcher.try_wait().expect("the launcher") {
            break s;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(60),
            "the other rank did not stop within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(launcher.stderr.as_mut().expect("stderr"), &mut stderr).expect("stderr");
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("rank 1 (process {victim}) stopped")),
        "rank 0 names the rank that died:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("rank 1 (process {victim}) was killed")),
        "{stderr}"
    );
    // The run resumes at one rank from its last checkpoint and finishes.
    let output = sslc()
        .args(["run", "--resume", out.to_str().unwrap(), "--device", "tch"])
        .output()
        .expect("sslc runs");
    let resumed = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{resumed}");
    assert!(resumed.contains("resuming from"), "{resumed}");
    assert!(out.join("final.safetensors").exists());
}

#[test]
fn torchrun_launches_sslc_as_it_launches_a_pytorch_script() {
    let torchrun = Path::new(env!("CARGO_MANIFEST_DIR")).join(".torch/bin/torchrun");
    assert!(
        torchrun.exists(),
        "torchrun comes with the torch that scripts/setup-torch.sh installs"
    );
    let (by_torchrun, by_sslc) = (scratch("torchrun"), scratch("nproc"));
    let output = std::process::Command::new(&torchrun)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--nproc-per-node", "2", "--no-python", env!("CARGO_BIN_EXE_sslc")])
        .args([
            "run",
            "tests/run/tiny_byol.ssl",
            "--device",
            "tch",
            "--set",
            "train.log_every=1",
        ])
        .args(["--out", by_torchrun.to_str().unwrap()])
        .output()
        .expect("torchrun runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    run(
        "tests/run/tiny_byol.ssl",
        &by_sslc,
        &["train.log_every=1"],
        &["--nproc", "2"],
    );
    assert_eq!(
        losses(&by_torchrun),
        losses(&by_sslc),
        "the same two ranks, however launched"
    );
}
