//! `metrics.jsonl`: one JSON object per training step (and per evaluation), appended and
//! flushed as the run goes, so a killed run keeps every step it finished. A resumed run first
//! drops the lines of steps after its checkpoint, which it is about to take again.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sslc_runtime::{RunError, StepInfo};

/// The open metrics file of a run.
pub struct Metrics {
    file: File,
    path: PathBuf,
}

fn failed(path: &Path, e: std::io::Error) -> RunError {
    RunError::Data {
        path: path.display().to_string(),
        problem: format!("cannot be written: {e}"),
    }
}

impl Metrics {
    /// Opens `out/metrics.jsonl`, keeping only the lines of steps up to `from_step` (0 for a
    /// fresh run: the file starts empty).
    pub fn open(out: &Path, from_step: u64) -> Result<Metrics, RunError> {
        let path = out.join("metrics.jsonl");
        std::fs::create_dir_all(out).map_err(|e| failed(out, e))?;
        let kept: Vec<Value> = match from_step {
            0 => vec![],
            _ => read(out)
                .unwrap_or_default()
                .into_iter()
                .filter(|v| v.get("step").and_then(Value::as_u64).is_some_and(|s| s <= from_step))
                .collect(),
        };
        let mut file = File::create(&path).map_err(|e| failed(&path, e))?;
        for line in kept {
            writeln!(file, "{line}").map_err(|e| failed(&path, e))?;
        }
        Ok(Metrics { file, path })
    }

    /// Appends one step: its loss, each term unweighted and weighted, the learning rate, each
    /// EMA branch's momentum, the images per second so far and the seconds the step waited for
    /// its views.
    pub fn step(&mut self, info: &StepInfo, images_per_s: f64) -> Result<(), RunError> {
        let mut terms = Map::new();
        let mut weighted = Map::new();
        for ((name, v), w) in info.terms.iter().zip(&info.term_weights) {
            terms.insert(name.clone(), json!(v));
            weighted.insert(name.clone(), json!((*v as f64) * w));
        }
        let mut line = json!({
            "step": info.step,
            "epoch": info.epoch,
            "loss": info.loss,
            "terms": terms,
            "weighted": weighted,
            "lr": info.lr,
            "momentum": info.momentum.iter().map(|(b, m)| (b.clone(), json!(m))).collect::<Map<String, Value>>(),
            "images_per_s": images_per_s,
            "data_wait_s": info.data_wait,
        });
        // Across ranks: the gradient bytes rank 0 all-reduced this step, and the seconds it took.
        if let (Some((bytes, secs)), Some(obj)) = (info.allreduce, line.as_object_mut()) {
            obj.insert("allreduce_bytes".into(), json!(bytes));
            obj.insert("allreduce_s".into(), json!(secs));
        }
        // The measures of collapse, at the log interval.
        if let (Some(h), Some(obj)) = (&info.health, line.as_object_mut()) {
            let mut health = Map::new();
            if let Some(s) = &h.spread {
                health.insert("rankme".into(), json!(s.rankme));
                health.insert("std".into(), json!(s.std));
                health.insert("dim".into(), json!(s.dim));
            }
            if !h.teachers.is_empty() {
                let teachers: Vec<Value> = h
                    .teachers
                    .iter()
                    .map(|t| {
                        json!({"term": t.term, "entropy": t.entropy, "mean_entropy": t.mean_entropy, "classes": t.classes})
                    })
                    .collect();
                health.insert("teachers".into(), Value::Array(teachers));
            }
            obj.insert("health".into(), Value::Object(health));
        }
        // float16 training: the loss scale, and a step skipped for overflowing gradients.
        if let (Some((scale, skipped)), Some(obj)) = (info.loss_scale, line.as_object_mut()) {
            obj.insert("loss_scale".into(), json!(scale));
            obj.insert("skipped".into(), json!(skipped));
        }
        self.write(line)
    }

    /// Appends a warning raised after `step` steps (a collapse).
    pub fn warning(&mut self, step: u64, text: &str) -> Result<(), RunError> {
        self.write(json!({ "step": step, "warning": text }))
    }

    /// Appends a probe result measured after `step` steps.
    pub fn probe(&mut self, step: u64, name: &str, accuracy: f64) -> Result<(), RunError> {
        self.write(json!({ "step": step, "probe": name, "accuracy": accuracy }))
    }

    fn write(&mut self, v: Value) -> Result<(), RunError> {
        writeln!(self.file, "{v}")
            .and_then(|_| self.file.flush())
            .map_err(|e| failed(&self.path, e))
    }
}

/// The lines of `dir/metrics.jsonl` that parse (a run killed mid-line leaves one that does not).
pub fn read(dir: &Path) -> Result<Vec<Value>, String> {
    let path = dir.join("metrics.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
}
