//! The `show` and `runs` commands: what a run folder holds, from its `metrics.jsonl` and
//! checkpoints, and one line for each run under a folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use sslc_runtime::checkpoint::Checkpoint;
use sslc_runtime::checkpoint::folder;

use crate::plot::{self, Curves};

/// The last step's line and the number of steps logged.
fn last_step(lines: &[Value]) -> Option<&Value> {
    lines.iter().rev().find(|v| v.get("loss").is_some())
}

/// The recipe file and planned steps, from the final checkpoint or else the newest one.
fn checkpoint_of(dir: &Path) -> Option<(PathBuf, Checkpoint)> {
    let final_path = dir.join("final.safetensors");
    if let Ok(c) = Checkpoint::read(&final_path) {
        return Some((final_path, c));
    }
    folder::of_run(dir, 0)
        .list()
        .into_iter()
        .find_map(|(_, p)| Checkpoint::read(&p).ok().map(|c| (p, c)))
}

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

/// `sslc show DIR`: the run's progress, last losses, probes and checkpoints; refreshes its plot.
pub fn show(dir: &Path) -> ExitCode {
    let lines = match crate::metrics::read(dir) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}: {} is not the folder of an `sslc run`", dir.display());
            return ExitCode::from(2);
        }
    };
    let ckpt = checkpoint_of(dir);
    let recipe = ckpt
        .as_ref()
        .map(|(_, c)| c.meta.recipe_file.clone())
        .unwrap_or_else(|| "(no checkpoint)".into());
    println!("run {} — {recipe}", dir.display());
    match last_step(&lines) {
        Some(last) => {
            let terms: Vec<String> = last
                .get("terms")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(n, v)| format!("{n} {:.4}", v.as_f64().unwrap_or(f64::NAN)))
                .collect();
            println!(
                "  step {} (epoch {:.2}): loss {:.4} ({}), lr {:.2e}, {:.0} img/s",
                last["step"],
                num(last, "epoch"),
                num(last, "loss"),
                terms.join(", "),
                num(last, "lr"),
                num(last, "images_per_s")
            );
        }
        None => println!("  no step logged yet"),
    }
    let curves = Curves::from_lines(&lines);
    for (name, acc) in &curves.probes {
        println!("  probe {name:<11} {:5.1}%", acc * 100.0);
    }
    if let Some((step, rank)) = curves.rankme.last() {
        println!("  effective rank (RankMe) {rank:.1} at step {step}");
    }
    // Signs of collapse the run logged.
    for line in &lines {
        if let (Some(step), Some(text)) = (line.get("step"), line.get("warning").and_then(Value::as_str)) {
            println!("  warning at step {step}: {text}");
        }
    }
    let finished = dir.join("final.safetensors").is_file();
    let periodic = folder::of_run(dir, 0).list();
    if finished {
        println!("  finished: {}", dir.join("final.safetensors").display());
    } else if let Some((step, _)) = periodic.first() {
        println!(
            "  stopped; newest checkpoint after step {step} (continue with `sslc run --resume {}`)",
            dir.display()
        );
    }
    for (step, path) in &periodic {
        println!("  checkpoint step {step:>8}  {}", path.display());
    }
    let png = dir.join("metrics.png");
    match plot::write(&png, &recipe, &curves) {
        Ok(()) => println!("  plot: {}", png.display()),
        Err(e) => eprintln!("warning: the plot could not be drawn: {e}"),
    }
    ExitCode::SUCCESS
}

/// `sslc runs [DIR]`: one line for each run folder directly under `dir`.
pub fn runs(dir: &Path) -> ExitCode {
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("error: cannot read {}", dir.display());
        return ExitCode::from(2);
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("metrics.jsonl").is_file())
        .collect();
    found.sort();
    if found.is_empty() {
        println!("no runs under {}", dir.display());
    }
    for run in found {
        let lines = crate::metrics::read(&run).unwrap_or_default();
        let state = if run.join("final.safetensors").is_file() {
            "finished"
        } else {
            "stopped"
        };
        let last = last_step(&lines);
        let probe = Curves::from_lines(&lines)
            .probes
            .iter()
            .find(|(n, _)| n == "trained")
            .map(|(_, a)| format!("  trained {:.1}%", a * 100.0))
            .unwrap_or_default();
        println!(
            "{:<30} {state:<8} step {:>8}  loss {:>9.4}{probe}",
            run.display(),
            last.map_or("-".into(), |l| l["step"].to_string()),
            last.map_or(f64::NAN, |l| num(l, "loss")),
        );
    }
    ExitCode::SUCCESS
}
