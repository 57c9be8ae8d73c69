//! A run's state beyond its weights, written into checkpoints and read back to continue.

use std::path::Path;

use burn::tensor::{Tensor, TensorData};

use super::{Trainer, data_mut};
use crate::checkpoint::{self, Checkpoint, Meta, RunState};
use crate::error::RunError;
use crate::optim::Stepper;

impl Trainer {
    /// What the run needs besides its weights to continue: optimiser, centres, segment maps.
    pub fn run_state(&self) -> Result<RunState, RunError> {
        let optimizer = self
            .optim
            .to_bytes()
            .map_err(|e| RunError::Internal(format!("encoding the optimiser's state: {e}")))?;
        let mut centers = vec![];
        for (step, c) in self.program.states() {
            let values = c
                .try_into_vec_as::<f32>()
                .map_err(|e| RunError::Internal(format!("reading a centre: {e:?}")))?;
            centers.push((step, values));
        }
        let segments = (!self.jobs.is_empty()).then(|| self.data.train.iter().map(|s| s.segments.clone()).collect());
        Ok(RunState {
            optimizer,
            centers,
            segments,
            loss_scale: self.loss_scale.map(|s| (s.scale, s.good)),
        })
    }

    /// Writes a checkpoint of the run as it stands to `path`.
    pub fn save(&self, path: &Path, recipe_file: &str, recipe: &str) -> Result<(), RunError> {
        let meta = Meta {
            recipe_file: recipe_file.into(),
            recipe: recipe.into(),
            step: self.step,
            epoch: self.step as f64 / self.steps_per_epoch as f64,
        };
        checkpoint::save(path, &meta, &self.weights, &self.run_state()?)
    }

    /// Continues the run from `ckpt`, which [`Trainer::save`] wrote for the same plan:
    /// weights, optimiser, step, centres and segment maps as they were.
    pub fn restore(&mut self, ckpt: &Checkpoint) -> Result<(), RunError> {
        let state = ckpt.state()?;
        ckpt.restore(&mut self.weights)?;
        if let (Some(s), Some((scale, good))) = (&mut self.loss_scale, state.loss_scale) {
            *s = crate::scaler::LossScale { scale, good };
        }
        let plain = self.device.clone().inner();
        self.optim =
            Stepper::load(&self.plan.optimizer, state.optimizer, &plain).map_err(|e| RunError::Checkpoint {
                path: ckpt.path().into(),
                problem: format!("has an unreadable optimiser state: {e}"),
            })?;
        for (step, values) in state.centers {
            let n = values.len();
            self.program
                .set_state(step, Tensor::from_data(TensorData::new(values, [n]), &plain))?;
        }
        if let Some(maps) = state.segments {
            if maps.len() != self.data.train.len() {
                return Err(RunError::Checkpoint {
                    path: ckpt.path().into(),
                    problem: format!(
                        "holds {} segment maps for {} training images",
                        maps.len(),
                        self.data.train.len()
                    ),
                });
            }
            self.loader = None;
            for (scene, map) in data_mut(&mut self.data)?.train.iter_mut().zip(maps) {
                scene.segments = map;
            }
        }
        self.step = ckpt.meta.step;
        self.loader = None;
        Ok(())
    }
}
