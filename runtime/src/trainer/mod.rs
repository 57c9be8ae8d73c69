//! The training loop, one step at a time: take the batch the loader made, run the plan on the
//! device, sum the weighted loss terms, step the optimiser, then move the EMA branches.
//!
//! A step reads nothing back from the device: its losses stay there until [`Trainer::read`]
//! reads every waiting step's at once (the run does at its log interval), so the host can run
//! ahead of an accelerator. The finiteness check is made then, naming the first bad step.

use std::sync::Arc;
use std::time::Instant;

use burn::tensor::{Device, Tensor};
use sslc_compiler::plan::Plan;
use sslc_compiler::value::Schedule;

use crate::data::Dataset;
use crate::error::RunError;
use crate::eval::knn::Knn;
use crate::exec::Program;
use crate::jobs::KmeansSegments;
use crate::loader::{Batches, Loader, Loading};
use crate::optim::{DecayKind, Stepper};
use crate::rng::Rng;
use crate::weights::Weights;

mod health;
mod read;
mod resume;
mod update;

pub(crate) use update::gradients;
use update::{Update, Updated, update};

/// The device's generator (stochastic depth) is reseeded from this stream before every step, so
/// a step draws the same whether the run started at step 0 or resumed from a checkpoint.
pub(crate) const DEVICE_STREAM: u64 = 0x0_5EED_0200;

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
    /// Each EMA branch's momentum at this step, by branch name.
    pub momentum: Vec<(String, f64)>,
    pub images: usize,
    /// Seconds the step waited for its views (0 when they were made during the last step).
    pub data_wait: f64,
    /// What periodic jobs did before this step.
    pub notes: Vec<String>,
    /// Across ranks: the gradient bytes all-reduced and the seconds it took.
    pub allreduce: Option<(usize, f64)>,
    /// float16 training: the loss scale of this step, and whether its gradients overflowed, so
    /// that the optimiser skipped it.
    pub loss_scale: Option<(f32, bool)>,
    /// At the log interval (and the first and last steps): what says whether the run collapses.
    pub health: Option<crate::eval::collapse::Health>,
}

/// A run in progress.
pub struct Trainer {
    pub(crate) plan: Plan,
    pub(crate) program: Program,
    pub weights: Weights,
    optim: Stepper,
    decay: DecayKind,
    lr: Schedule,
    weight_decay: Schedule,
    /// Shared with the loader's thread; jobs rewrite it only while no loader runs.
    pub data: Arc<Dataset>,
    pub(crate) device: Device,
    /// Images per step (the recipe's batch, at most the training set).
    pub batch: usize,
    pub step: u64,
    pub steps_per_epoch: u64,
    pub total_steps: u64,
    jobs: Vec<KmeansSegments>,
    /// The recipe's probe, if it declares one: built once, as a probed value's steps are.
    knn: Option<Knn>,
    loading: Loading,
    /// Batches being made ahead of the steps.
    loader: Option<Loader>,
    /// float16 training's loss scale (`train { precision = "fp16-mixed" }`).
    loss_scale: Option<crate::scaler::LossScale>,
    /// The steps taken since the last [`Trainer::read`], their losses still on the device.
    unread: Vec<Unread>,
}

/// A step taken whose losses are still on the device.
struct Unread {
    /// All but the losses, which read in.
    info: StepInfo,
    /// Each term, unweighted, and the weighted total.
    terms: Vec<Tensor<1>>,
    total: Tensor<1>,
}

impl Trainer {
    /// Prepares a run: data, weights (seeded), optimiser.
    pub fn new(plan: &Plan, device: &Device) -> Result<Trainer, RunError> {
        Trainer::on(plan, Dataset::open(&plan.source)?, device)
    }

    /// Prepares a run of `plan` on `data`, which must be what its source describes.
    pub fn on(plan: &Plan, mut data: Dataset, device: &Device) -> Result<Trainer, RunError> {
        if let Some((name, _)) = plan.jobs.first()
            && data.materialise().is_none()
        {
            let origin = data.stream.as_ref().map(|s| s.origin()).unwrap_or_default();
            return Err(RunError::Data {
                path: origin,
                problem: format!(
                    "is read from disk a batch at a time, but job `{name}` rewrites every training image's segment map; \
                     set `cache: true` on the image_folder to keep its images in memory"
                ),
            });
        }
        let device = device.clone().autodiff();
        crate::precision::set(plan.train.precision);
        let weights = Weights::seeded(plan, &device, plan.train.seed)?;
        let opt = &plan.optimizer;
        let (optim, decay) = Stepper::new(opt);
        let batch = (plan.batch as usize).clamp(1, data.len().max(1));
        let ranks = crate::dist::size();
        if !batch.is_multiple_of(ranks) {
            return Err(RunError::Distributed(format!(
                "the batch of {batch} images does not divide among {ranks} ranks; `data.batch` is the global batch, \
                 so make it a multiple of {ranks}"
            )));
        }
        let steps_per_epoch = (data.len() / batch).max(1) as u64;
        Ok(Trainer {
            program: Program::new(plan)?.on(&device)?,
            plan: plan.clone(),
            weights,
            optim,
            decay,
            lr: opt.lr().clone(),
            weight_decay: opt.weight_decay().clone(),
            data: Arc::new(data),
            device,
            batch,
            step: 0,
            steps_per_epoch,
            total_steps: steps_per_epoch * plan.train.epochs,
            jobs: plan
                .jobs
                .iter()
                .map(|(name, job)| KmeansSegments::new(name, job))
                .collect(),
            knn: plan.train.probe.as_ref().map(|p| Knn::new(plan, p)).transpose()?,
            loading: Loading::default(),
            loader: None,
            loss_scale: (plan.train.precision == sslc_compiler::plan::Precision::Fp16Mixed)
                .then(crate::scaler::LossScale::default),
            unread: vec![],
        })
    }

    /// Steps with burn's per-parameter optimiser even where the flat one would (the two take
    /// the same steps; this is for comparing them).
    pub fn per_parameter_optimiser(mut self) -> Self {
        self.optim = crate::optim::Stepper::Burn(crate::optim::build(&self.plan.optimizer).0);
        self
    }

    /// Makes batches with `loading`'s workers and depth instead of the default's.
    pub fn with_loading(mut self, loading: Loading) -> Self {
        self.loading = loading;
        self
    }

    fn epochs(&self) -> f64 {
        self.plan.train.epochs as f64
    }

    /// Takes one optimisation step and reads its losses (with any step's still unread).
    pub fn step(&mut self) -> Result<StepInfo, RunError> {
        self.advance()?;
        let (mut read, checked) = self.read();
        checked?;
        read.pop()
            .ok_or_else(|| RunError::Internal("a step left nothing to read".into()))
    }

    /// Takes one optimisation step on the calling thread alone (no network started early on a
    /// side thread), as an observer of this thread's operators needs it.
    pub fn advance_on_one_thread(&mut self) -> Result<(), RunError> {
        self.program.on_one_thread(true);
        let taken = self.advance();
        self.program.on_one_thread(false);
        taken
    }

    /// Takes one optimisation step, leaving its losses on the device for [`Trainer::read`].
    pub fn advance(&mut self) -> Result<(), RunError> {
        let (epoch, within) = (self.step / self.steps_per_epoch, self.step % self.steps_per_epoch);
        let mut notes = vec![];
        if within == 0 && self.jobs.iter().any(|j| j.due(epoch)) {
            // A job rewrites the training images: no loader may be reading them.
            self.loader = None;
            let data = data_mut(&mut self.data)?;
            for job in self.jobs.iter().filter(|j| j.due(epoch)) {
                notes.push(job.run(
                    &self.weights,
                    &mut data.train,
                    self.plan.train.seed,
                    epoch,
                    &self.device,
                )?);
            }
        }
        let t = self.step as f64 / self.steps_per_epoch as f64;
        let epochs = self.epochs();
        let seed = self.plan.train.seed;
        let device_seed = Rng::derive(seed, DEVICE_STREAM, self.step).next_u64();
        let lr = self.lr.at(t, epochs);
        let waiting = Instant::now();
        let views = self.loader()?.take()?;
        let data_wait = waiting.elapsed().as_secs_f64();
        let log_every = self.plan.train.log_every.max(1);
        let measured = self.step == 0 || (self.step + 1).is_multiple_of(log_every) || self.step + 1 == self.total_steps;
        self.program.observe(measured);
        let inputs = Update {
            views,
            batch: self.batch / crate::dist::size(),
            t,
            epochs,
            lr,
            wd: self.weight_decay.at(t, epochs),
            decay: self.decay,
            scale: self.loss_scale.map(|s| s.scale),
        };
        let Updated {
            total,
            terms,
            term_weights,
            allreduce,
            finite,
        } = crate::generator::seeded(&self.device, device_seed, || {
            update(&self.plan, &self.program, &mut self.weights, &mut self.optim, inputs)
        })?;
        self.program.observe(false);
        let health = if measured { Some(self.health()?) } else { None };
        self.step += 1;
        let scale = self.loss_scale.map(|s| (s.scale, !finite));
        if let Some(s) = &mut self.loss_scale {
            s.update(finite);
        }
        let info = StepInfo {
            step: self.step,
            epoch: t,
            loss: f32::NAN,
            terms: vec![],
            term_weights,
            lr,
            data_wait,
            momentum: self.weights.ema_momenta(t, epochs),
            images: self.batch,
            notes,
            allreduce,
            loss_scale: scale,
            health,
        };
        self.unread.push(Unread { info, terms, total });
        Ok(())
    }

    /// What making this run's batches reads.
    pub(crate) fn batches(&self) -> Batches {
        Batches {
            stage: self.program.views.clone(),
            data: self.data.clone(),
            seed: self.plan.train.seed,
            batch: self.batch,
            shard: (crate::dist::rank(), crate::dist::size()),
            steps_per_epoch: self.steps_per_epoch,
            device: self.device.clone(),
        }
    }

    /// The loader that yields this step's batch next, started if none does. With jobs, it
    /// stops at the end of the epoch, before the next job may rewrite the images.
    fn loader(&mut self) -> Result<&mut Loader, RunError> {
        if !self.loader.as_ref().is_some_and(|l| l.serves(self.step)) {
            self.loader = None;
            let until = if self.jobs.is_empty() {
                self.total_steps
            } else {
                (self.step / self.steps_per_epoch + 1) * self.steps_per_epoch
            };
            let batches = self.batches();
            self.loader = Some(Loader::start(
                batches,
                self.step,
                until.max(self.step + 1),
                self.loading,
            ));
        }
        self.loader
            .as_mut()
            .ok_or_else(|| RunError::Internal("no data loader".into()))
    }

    /// The recipe's probe on raw pixels instead of a network, if it declares one.
    pub fn probe_pixels(&self) -> Result<Option<f64>, RunError> {
        let Some(knn) = &self.knn else {
            return Ok(None);
        };
        let bank = self.data.bank(knn.images)?;
        knn.run_on_pixels(&bank, &self.data.holdout, self.data.classes, &self.device)
            .map(Some)
    }

    /// The recipe's probe on the current weights, if it declares one.
    pub fn probe(&self) -> Result<Option<f64>, RunError> {
        let Some(knn) = &self.knn else {
            return Ok(None);
        };
        knn.run(
            &self.weights,
            &self.data.bank(knn.images)?,
            &self.data.holdout,
            self.data.classes,
            &self.device,
        )
        .map(Some)
    }
}

/// The training data, to rewrite; the loader must be stopped first.
fn data_mut(data: &mut Arc<Dataset>) -> Result<&mut Dataset, RunError> {
    Arc::get_mut(data)
        .ok_or_else(|| RunError::Internal("the training images are still being read while a job rewrites them".into()))
}
