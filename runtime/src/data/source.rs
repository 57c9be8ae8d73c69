//! A recipe's data source, materialised: the training and held-out sets of a run.

use sslc_compiler::value::Config;

use super::{Colours, Scene, Scenes};
use crate::config::{int, pair, text};
use crate::error::RunError;

/// Data sources this runtime reads.
pub const SOURCES: &[&str] = &["scenes"];

/// Data fields this runtime feeds to recipes.
pub const FIELDS: &[&str] = &["image", "labels", "boxes", "segments"];

/// The images of a run.
pub struct Dataset {
    pub train: Vec<Scene>,
    pub holdout: Vec<Scene>,
    pub classes: usize,
}

impl Dataset {
    /// Generates (or, later, loads) the data `cfg` describes.
    pub fn open(cfg: &Config) -> Result<Dataset, RunError> {
        match cfg.builtin.as_str() {
            "scenes" => {
                let objects = pair(cfg, "objects")?;
                let generator = Scenes {
                    size: int(cfg, "size")?,
                    classes: int(cfg, "classes")?,
                    objects: (objects.0 as usize, objects.1 as usize),
                    colours: match text(cfg, "colours")? {
                        "random" => Colours::Random,
                        _ => Colours::Class,
                    },
                    seed: int(cfg, "seed")? as u64,
                };
                Ok(Dataset {
                    train: generator.many(0, 0..int(cfg, "count")? as u64),
                    holdout: generator.many(1, 0..int(cfg, "holdout")? as u64),
                    classes: generator.classes,
                })
            }
            other => Err(RunError::Internal(format!("data source `{other}` is not readable"))),
        }
    }
}
