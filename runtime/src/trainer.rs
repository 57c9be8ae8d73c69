//! The training loop, one step at a time: sample a batch, run the views on CPU, the plan on the
//! device, sum the weighted loss terms, step the optimiser, then move the EMA branches.

use std::path::Path;

use burn::optim::{GradientsParams, ModuleOptimizer, OptimizerRecord};
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use sslc_compiler::plan::Plan;
use sslc_compiler::value::Schedule;

use crate::checkpoint::{self, Checkpoint, Meta, RunState};
use crate::config::schedule;
use crate::data::Dataset;
use crate::error::RunError;
use crate::eval::knn::Knn;
use crate::exec::Program;
use crate::jobs::KmeansSegments;
use crate::optim::{self, DecayKind};
use crate::rng::Rng;
use crate::weights::Weights;

/// Streams of the run's random generators (the data source has its own seed).
const ORDER_STREAM: u64 = 0x0_5EED_0001;
const VIEW_STREAM: u64 = 0x0_5EED_0100;
/// The device's generator (stochastic depth) is reseeded from this stream before every step, so
/// a step draws the same whether the run started at step 0 or resumed from a checkpoint.
const DEVICE_STREAM: u64 = 0x0_5EED_0200;

/// What one step did.
#[derive(Clone, Debug)]
pub struct StepInfo {
    /// 1-based number of the step just taken.
    pub step: u64,
    /// Fractional epoch at the start of the step.
    pub epoch: f64,
    /// The weighted total.
    pub loss: f32,
    /// Each term, unweighted, in declaration order.
    pub terms: Vec<(String, f32)>,
    /// Each term's weight at this step, in the same order.
    pub term_weights: Vec<f64>,
    pub lr: f64,
    pub images: usize,
    /// What periodic jobs did before this step.
    pub notes: Vec<String>,
}

/// A run in progress.
pub struct Trainer {
    plan: Plan,
    program: Program,
    pub weights: Weights,
    optim: ModuleOptimizer,
    decay: DecayKind,
    lr: Schedule,
    weight_decay: Schedule,
    pub data: Dataset,
    device: Device,
    /// Images per step (the recipe's batch, at most the training set).
    pub batch: usize,
    order: Vec<usize>,
    pub step: u64,
    pub steps_per_epoch: u64,
    pub total_steps: u64,
    jobs: Vec<KmeansSegments>,
}

impl Trainer {
    /// Prepares a run: data, weights (seeded), optimiser. The plan must have passed `support`.
    pub fn new(plan: &Plan, device: &Device) -> Result<Trainer, RunError> {
        let data = Dataset::open(&plan.source)?;
        let device = device.clone().autodiff();
        let weights = Weights::seeded(plan, &device, plan.train.seed)?;
        let opt = &plan.optimizer;
        let (optim, decay) = optim::build(opt)?;
        let batch = (plan.batch as usize).clamp(1, data.train.len().max(1));
        let steps_per_epoch = (data.train.len() / batch).max(1) as u64;
        Ok(Trainer {
            program: Program::new(plan)?,
            plan: plan.clone(),
            weights,
            optim,
            decay,
            lr: schedule(opt, "lr")?,
            weight_decay: schedule(opt, "weight_decay")?,
            data,
            device,
            batch,
            order: vec![],
            step: 0,
            steps_per_epoch,
            total_steps: steps_per_epoch * plan.train.epochs,
            jobs: plan
                .jobs
                .iter()
                .map(|(name, cfg)| KmeansSegments::from_config(name, cfg))
                .collect::<Result<_, _>>()?,
        })
    }

    fn epochs(&self) -> f64 {
        self.plan.train.epochs as f64
    }

    /// Takes one optimisation step.
    pub fn step(&mut self) -> Result<StepInfo, RunError> {
        let (epoch, within) = (self.step / self.steps_per_epoch, self.step % self.steps_per_epoch);
        let mut notes = vec![];
        if within == 0 || self.order.is_empty() {
            self.order = Rng::derive(self.plan.train.seed, ORDER_STREAM, epoch).permutation(self.data.train.len());
        }
        if within == 0 {
            for job in self.jobs.iter().filter(|j| j.due(epoch)) {
                notes.push(job.run(
                    &self.weights,
                    &mut self.data.train,
                    self.plan.train.seed,
                    epoch,
                    &self.device,
                )?);
            }
        }
        let t = self.step as f64 / self.steps_per_epoch as f64;
        self.device
            .seed(Rng::derive(self.plan.train.seed, DEVICE_STREAM, self.step).next_u64());
        let start = within as usize * self.batch;
        let idx = &self.order[start..start + self.batch];
        let scenes: Vec<_> = idx.iter().map(|i| &self.data.train[*i]).collect();
        let rngs = idx
            .iter()
            .map(|i| Rng::derive(self.plan.train.seed, VIEW_STREAM + epoch, *i as u64))
            .collect();
        let views = self.program.views.batch(&scenes, rngs, &self.device)?;
        let ctx = crate::exec::ops::Ctx {
            epoch: t,
            total: self.epochs(),
        };
        let terms = self.program.losses(&self.weights, views, self.batch, ctx)?;
        let mut total: Option<Tensor<1>> = None;
        let mut term_weights = vec![];
        for (term, l) in terms.iter().zip(&self.plan.losses) {
            let w = l.weight.at(t, self.epochs());
            term_weights.push(w);
            let weighted = term.clone().mul_scalar(w as f32);
            total = Some(match total {
                Some(sum) => sum + weighted,
                None => weighted,
            });
        }
        let total = total.ok_or_else(|| RunError::Internal("the recipe has no loss".into()))?;
        let mut values = vec![];
        for (term, l) in terms.into_iter().zip(&self.plan.losses) {
            values.push((l.name.clone(), scalar(term)?));
        }
        let loss = scalar(total.clone())?;
        if let Some((name, v)) = values.iter().find(|(_, v)| !v.is_finite()) {
            return Err(RunError::NonFinite {
                step: self.step + 1,
                loss: name.clone(),
                value: *v,
            });
        }
        let mut grads = GradientsParams::from_grads(total.backward(), &self.weights.trainable);
        let held = self.weights.held_at(t);
        optim::drop_held(&self.weights.trainable, &mut grads, &held);
        let (lr, wd) = (self.lr.at(t, self.epochs()), self.weight_decay.at(t, self.epochs()));
        match self.decay {
            DecayKind::Decoupled => self.weights.decay(1.0 - lr * wd, held),
            DecayKind::Coupled => optim::couple_decay(&self.weights.trainable, &mut grads, wd, &held),
        }
        let nets = std::mem::take(&mut self.weights.trainable);
        self.weights.trainable = self.optim.step(lr, nets, grads);
        self.weights.ema_update(t, self.epochs());
        self.step += 1;
        Ok(StepInfo {
            step: self.step,
            epoch: t,
            loss,
            terms: values,
            term_weights,
            lr,
            images: self.batch,
            notes,
        })
    }

    /// What the run needs besides its weights to continue: optimiser, centres, segment maps.
    pub fn run_state(&self) -> Result<RunState, RunError> {
        let optimizer = self
            .optim
            .to_record()
            .into_bytes()
            .map_err(|e| RunError::Internal(format!("encoding the optimiser's state: {e:?}")))?;
        let mut centers = vec![];
        for (step, c) in self.program.states() {
            let values = c
                .try_into_vec_as::<f32>()
                .map_err(|e| RunError::Internal(format!("reading a centre: {e:?}")))?;
            centers.push((step, values));
        }
        let segments = (!self.jobs.is_empty()).then(|| self.data.train.iter().map(|s| s.segments.clone()).collect());
        Ok(RunState {
            optimizer: optimizer.to_vec(),
            centers,
            segments,
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
        let record =
            OptimizerRecord::from_bytes(Bytes::from_bytes_vec(state.optimizer)).map_err(|e| RunError::Checkpoint {
                path: ckpt.path().into(),
                problem: format!("has an unreadable optimiser state: {e:?}"),
            })?;
        self.optim = optim::build(&self.plan.optimizer)?.0.load_record(record);
        let plain = self.device.clone().inner();
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
            for (scene, map) in self.data.train.iter_mut().zip(maps) {
                scene.segments = map;
            }
        }
        self.step = ckpt.meta.step;
        self.order.clear();
        Ok(())
    }

    /// The recipe's probe on raw pixels instead of a network, if it declares one.
    pub fn probe_pixels(&self) -> Result<Option<f64>, RunError> {
        let Some(cfg) = &self.plan.train.probe else {
            return Ok(None);
        };
        Knn::from_config(cfg)?
            .run_on_pixels(&self.data.train, &self.data.holdout, self.data.classes, &self.device)
            .map(Some)
    }

    /// The recipe's probe on the current weights, if it declares one.
    pub fn probe(&self) -> Result<Option<f64>, RunError> {
        let Some(cfg) = &self.plan.train.probe else {
            return Ok(None);
        };
        let knn = Knn::from_config(cfg)?;
        knn.run(
            &self.weights,
            &self.data.train,
            &self.data.holdout,
            self.data.classes,
            &self.device,
        )
        .map(Some)
    }
}

fn scalar(t: Tensor<1>) -> Result<f32, RunError> {
    t.try_into_vec_as::<f32>()
        .ok()
        .and_then(|v| v.first().copied())
        .ok_or_else(|| RunError::Internal("reading a loss failed".into()))
}
