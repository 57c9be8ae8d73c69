//! `sslc run --checkpoint-every` and `--resume`: a run killed with SIGKILL at a random moment
//! and resumed takes the same steps, bit for bit, as one never stopped; a damaged newest
//! checkpoint is refused by name and the one before it used.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sslc_runtime::checkpoint::folder;
use sslc_runtime::checkpoint::{Checkpoint, Stored};

mod common;
use common::sslc;

const RECIPE: &str = "tests/run/tiny_byol.ssl";
/// 96 images in batches of 32: 3 steps an epoch, 60 in all.
const EPOCHS: &str = "train.epochs=20";
const STEPS: u64 = 60;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslc-resume-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run(args: &[&str]) -> String {
    let out = sslc().args(args).output().expect("sslc runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "sslc {args:?} failed:\n{stderr}");
    stderr
}

/// Each step's line of `metrics.jsonl`, without the timing.
fn steps(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("metrics.jsonl"))
        .expect("metrics.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .filter(|v| v.get("loss").is_some())
        .map(|mut v| {
            v.as_object_mut().unwrap().remove("images_per_s");
            v.as_object_mut().unwrap().remove("data_wait_s");
            v
        })
        .collect()
}

/// Every network of a checkpoint with its parameters.
fn weights(path: &Path) -> Vec<(String, Vec<Stored>)> {
    let ckpt = Checkpoint::read(path).expect("a checkpoint");
    ckpt.networks()
        .into_iter()
        .map(|n| (n.to_string(), ckpt.network(n).expect("its tensors")))
        .collect()
}

fn newest(dir: &Path) -> Option<(u64, PathBuf)> {
    folder::of_run(dir, 0).list().into_iter().next()
}

#[test]
fn a_run_killed_at_a_random_moment_resumes_to_the_same_steps_and_weights() {
    let whole = scratch("whole");
    run(&["run", RECIPE, "--set", EPOCHS, "--out", whole.to_str().unwrap()]);
    let expected = steps(&whole);
    assert_eq!(expected.len() as u64, STEPS);

    // The moment: once the checkpoint after step `at` exists (at random, printed so a failure
    // can be replayed by hand), plus however far the run gets before the signal lands.
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    let at = 3 + nanos % (STEPS / 2);
    eprintln!("killing after the checkpoint of step {at}");
    let killed = scratch("killed");
    let out = killed.to_str().unwrap();
    let mut child = sslc()
        .args([
            "run",
            RECIPE,
            "--set",
            EPOCHS,
            "--out",
            out,
            "--checkpoint-every",
            "1steps",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sslc starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while newest(&killed).is_none_or(|(s, _)| s < at) {
        assert!(Instant::now() < deadline, "no checkpoint of step {at} within 2 minutes");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert!(
        !killed.join("final.safetensors").exists(),
        "the run finished before the kill"
    );

    // The newest checkpoint is damaged as a crash mid-write on another file system could leave
    // it: it is refused by name and the one before it is used.
    let (step, damaged) = newest(&killed).unwrap();
    let bytes = std::fs::read(&damaged).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    let stderr = run(&["run", "--resume", out]);
    assert!(
        stderr.contains(&damaged.display().to_string()) && stderr.contains("trying an older checkpoint"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("after step {}", step - 1)), "{stderr}");

    assert_eq!(steps(&killed), expected, "the resumed run's steps");
    assert_eq!(
        weights(&killed.join("final.safetensors")),
        weights(&whole.join("final.safetensors")),
        "the final weights"
    );
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&killed);
}

#[test]
fn periodic_checkpoints_keep_the_newest_and_resuming_without_any_says_how_to_get_them() {
    let dir = scratch("keep");
    let out = dir.to_str().unwrap();
    run(&[
        "run",
        RECIPE,
        "--out",
        out,
        "--checkpoint-every",
        "2steps",
        "--keep",
        "2",
    ]);
    let mut kept: Vec<String> = std::fs::read_dir(dir.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    kept.sort();
    // 6 steps, a checkpoint after steps 2, 4 and 6, the newest two kept.
    assert_eq!(kept, ["step-00000004.safetensors", "step-00000006.safetensors"]);

    let empty = scratch("empty");
    let out = sslc()
        .args(["run", "--resume", empty.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no checkpoint to resume from") && stderr.contains("--checkpoint-every"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn checkpoint_every_takes_epochs_or_steps_and_refuses_anything_else() {
    let out = sslc()
        .args(["run", RECIPE, "--checkpoint-every", "often"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("`often` is not a count of epochs"), "{stderr}");
}

#[test]
fn a_loss_that_turns_nan_stops_the_run_naming_term_and_step_and_keeps_the_checkpoints() {
    let dir = scratch("nan");
    std::fs::create_dir_all(&dir).unwrap();
    let src = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(RECIPE)).unwrap();
    let (head, _) = src.split_once("optimizer =").unwrap();
    let (_, tail) = src.split_once("train {").unwrap();
    let recipe = dir.join("blowup.ssl");
    std::fs::write(
        &recipe,
        format!("{head}optimizer = sgd(lr: 1e9, momentum: 0.9)\n\ntrain {{{tail}"),
    )
    .unwrap();
    let out = dir.join("out");
    let done = sslc()
        .args(["run", recipe.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(["--checkpoint-every", "1steps", "--keep", "100"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!done.status.success(), "{stderr}");
    let error = stderr.lines().find(|l| l.starts_with("error:")).expect("an error line");
    assert!(
        error.contains("loss `byol` became") && error.contains("at step"),
        "{stderr}"
    );
    let step: u64 = error
        .split("at step ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Every step before the bad one left its checkpoint; the bad one left none, nor a final one.
    let (last, path) = newest(&out).expect("checkpoints");
    assert_eq!(last, step - 1);
    assert!(stderr.contains(&format!("stays at {}", path.display())), "{stderr}");
    assert!(!out.join("final.safetensors").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_stops_after_the_step_with_a_checkpoint_and_the_run_resumes_from_it() {
    let whole = scratch("whole-int");
    run(&["run", RECIPE, "--set", EPOCHS, "--out", whole.to_str().unwrap()]);
    let stopped = scratch("interrupted");
    let out = stopped.to_str().unwrap();
    let child = sslc()
        .args(["run", RECIPE, "--set", EPOCHS, "--out", out])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sslc starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::read_to_string(stopped.join("metrics.jsonl")).map_or(0, |m| m.lines().count()) < 5 {
        assert!(Instant::now() < deadline, "no fifth step within 2 minutes");
        std::thread::sleep(Duration::from_millis(1));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(130), "{stderr}");
    let (step, path) = newest(&stopped).expect("the checkpoint Ctrl-C wrote");
    assert!(step < STEPS, "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted after step {step}; checkpoint {}", path.display())),
        "{stderr}"
    );
    run(&["run", "--resume", out]);
    assert_eq!(steps(&stopped), steps(&whole));
    assert_eq!(
        weights(&stopped.join("final.safetensors")),
        weights(&whole.join("final.safetensors"))
    );
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&stopped);
}
