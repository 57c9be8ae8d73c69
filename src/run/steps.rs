//! What the run does with a step's outcome: the metrics line, job notes and a collapse first
//! seen; and a step taken counting libtorch's operators.

use std::path::Path;

use indicatif::ProgressBar;
use sslc_runtime::{RunError, StepInfo, Trainer};

use crate::metrics::Metrics;

/// Takes the next step counting the operators libtorch dispatches, and writes them to
/// `out/ops.json` (rank 0).
pub(super) fn count_ops(trainer: &mut Trainer, out: &Path, writes: bool) -> Result<(), RunError> {
    // libtorch's observer sees the calling thread: the whole step runs there.
    let (taken, counts) = sslc_opcount::count(|| trainer.advance_on_one_thread()).map_err(RunError::Unsupported)?;
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
pub(super) fn record(
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
