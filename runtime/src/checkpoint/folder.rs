//! A run's checkpoint folder: `step-00000120.safetensors` files, the last few kept, and the
//! newest readable one found again when the run resumes.

use std::path::{Path, PathBuf};

use super::Checkpoint;
use crate::error::RunError;

/// The checkpoints of one run.
pub struct Folder {
    pub dir: PathBuf,
    /// How many to keep; older ones are deleted after a newer one is written.
    pub keep: usize,
}

impl Folder {
    /// Where the checkpoint after `step` steps goes.
    pub fn path(&self, step: u64) -> PathBuf {
        self.dir.join(format!("step-{step:08}.safetensors"))
    }

    /// The checkpoints present, newest first, with their steps. Temporary files of an
    /// interrupted save (`*.partial`) are not checkpoints.
    pub fn list(&self) -> Vec<(u64, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return vec![];
        };
        let mut found: Vec<(u64, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let step = name.strip_prefix("step-")?.strip_suffix(".safetensors")?.parse().ok()?;
                Some((step, e.path()))
            })
            .collect();
        found.sort_by_key(|(step, _)| std::cmp::Reverse(*step));
        found
    }

    /// Deletes all but the newest `keep` checkpoints.
    pub fn prune(&self) -> Result<(), RunError> {
        for (_, path) in self.list().into_iter().skip(self.keep.max(1)) {
            std::fs::remove_file(&path).map_err(|e| RunError::Checkpoint {
                path: path.display().to_string(),
                problem: format!("cannot be removed: {e}"),
            })?;
        }
        Ok(())
    }

    /// The newest checkpoint that reads, and the reasons the newer ones were refused.
    pub fn newest(&self) -> (Option<Checkpoint>, Vec<RunError>) {
        let mut refused = vec![];
        for (_, path) in self.list() {
            match Checkpoint::read(&path).and_then(|c| c.state().map(|_| c)) {
                Ok(c) => return (Some(c), refused),
                Err(e) => refused.push(e),
            }
        }
        (None, refused)
    }
}

/// The checkpoint folder of the run writing to `out`.
pub fn of_run(out: &Path, keep: usize) -> Folder {
    Folder {
        dir: out.join("checkpoints"),
        keep,
    }
}
