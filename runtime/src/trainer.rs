//! The training loop, one step at a time: take the batch the loader made, run the plan on the
//! device, sum the weighted loss terms, step the optimiser, then move the EMA branches.
//!
//! A step reads nothing back from the device: its losses stay there until [`Trainer::read`]
//! reads every waiting step's at once (the run does at its log interval), so the host can run
//! ahead of an accelerator. The finiteness check is made then, naming the first bad step.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use burn::optim::{GradientsParams, ModuleOptimizer, OptimizerRecord};
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use sslc_compiler::plan::Plan;
use sslc_compiler::value::Schedule;

use crate::checkpoint::{self, Checkpoint, Meta, RunState};
use crate::data::Dataset;
use crate::error::RunError;
use crate::eval::knn::Knn;
use crate::exec::Program;
use crate::jobs::KmeansSegments;
use crate::loader::{Batches, Loader, Loading, Views};
use crate::optim::{self, DecayKind};
use crate::rng::Rng;
use crate::weights::Weights;

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
    optim: ModuleOptimizer,
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
        let (optim, decay) = optim::build(opt);
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
            program: Program::new(plan)?.on(&device),
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

    /// Whether steps were taken whose losses have not been read.
    pub fn unread(&self) -> usize {
        self.unread.len()
    }

    /// The steps taken since the last read, oldest first, their losses read from the device in
    /// one transfer (and, across ranks, averaged in one collective), and whether they were
    /// finite. A loss that is not finite stops the run, naming the first step it appeared at
    /// (the steps before it are read); the weights have by then taken the steps after it, so the
    /// last checkpoint is the good state.
    pub fn read(&mut self) -> (Vec<StepInfo>, Result<(), RunError>) {
        let mut infos = vec![];
        let checked = self.read_into(&mut infos);
        (infos, checked)
    }

    fn read_into(&mut self, infos: &mut Vec<StepInfo>) -> Result<(), RunError> {
        let unread = std::mem::take(&mut self.unread);
        if unread.is_empty() {
            return Ok(());
        }
        let all: Vec<Tensor<1>> = unread
            .iter()
            .flat_map(|u| u.terms.iter().chain([&u.total]).cloned())
            .collect();
        let mut values: Vec<f64> = Tensor::cat(all, 0)
            .try_into_vec_as::<f32>()
            .map_err(|e| RunError::Internal(format!("reading the losses: {e:?}")))?
            .into_iter()
            .map(f64::from)
            .collect();
        if crate::dist::world().is_some() {
            // Each rank's terms are the means over its rows (or the batch's own value, the same
            // on every rank): their mean over the ranks is the step's, on every rank alike.
            let ranks = crate::dist::size() as f64;
            values = crate::dist::sum_host(&values)?.into_iter().map(|v| v / ranks).collect();
        }
        let mut values = values.into_iter();
        for Unread { mut info, terms, .. } in unread {
            for (l, _) in self.plan.losses.iter().zip(&terms) {
                let v = values.next().unwrap_or(f64::NAN) as f32;
                info.terms.push((l.name.clone(), v));
            }
            info.loss = values.next().unwrap_or(f64::NAN) as f32;
            if let Some((name, v)) = info.terms.iter().find(|(_, v)| !v.is_finite()) {
                return Err(RunError::NonFinite {
                    step: info.step,
                    loss: name.clone(),
                    value: *v,
                });
            }
            infos.push(info);
        }
        Ok(())
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

    /// The held-out images whose probed features show collapse.
    const HEALTH_IMAGES: usize = 64;

    /// The measures of collapse after this step's update: the teacher entropies its losses
    /// reported, and (on rank 0) the probed features' spread on the first held-out images.
    fn health(&self) -> Result<crate::eval::collapse::Health, RunError> {
        use crate::eval::collapse::{Health, Spread, Teacher};
        let seen = self.program.observations.take();
        let mut teachers = vec![];
        for (i, name, value) in &seen {
            if *name != "teacher_entropy" {
                continue;
            }
            let get = |n: &str| seen.iter().find(|(j, m, _)| j == i && *m == n).map(|(_, _, v)| *v);
            let term = self
                .plan
                .losses
                .iter()
                .find(|l| l.slot == self.plan.steps[*i].output)
                .map_or_else(|| format!("${i}"), |l| l.name.clone());
            teachers.push(Teacher {
                term,
                entropy: *value,
                mean_entropy: get("teacher_mean_entropy").unwrap_or(f64::NAN),
                classes: get("teacher_classes").map_or(0, |k| k as usize),
            });
        }
        let spread = match &self.knn {
            Some(knn) if crate::dist::writes() => {
                let images = &self.data.holdout[..Self::HEALTH_IMAGES.min(self.data.holdout.len())];
                let features = knn.target.with(&self.weights, |f| f.global(images, &self.device))?;
                let d = features.dims()[1];
                let rows: Vec<f32> = features
                    .try_into_vec_as()
                    .map_err(|e| RunError::Internal(format!("reading the probed features: {e:?}")))?;
                Some(Spread::of(&rows, d))
            }
            _ => None,
        };
        Ok(Health { spread, teachers })
    }

    /// Whether every rank holds the same weights: the sum of every trainable parameter, compared
    /// across ranks (alone, always). A run whose ranks drifted apart is stopped, naming the step.
    pub fn replicas_agree(&self) -> Result<(), RunError> {
        if crate::dist::world().is_none() {
            return Ok(());
        }
        let sum: f64 = self
            .weights
            .trainable
            .iter()
            .flat_map(crate::weights::flat_params)
            .map(f64::from)
            .sum();
        let all = crate::dist::gather_host(sum)?;
        if all.iter().any(|v| v.to_bits() != sum.to_bits()) {
            let listed: Vec<String> = all.iter().enumerate().map(|(r, v)| format!("rank {r}: {v}")).collect();
            return Err(RunError::Distributed(format!(
                "the ranks' weights differ after step {} ({})",
                self.step,
                listed.join(", ")
            )));
        }
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
        let record =
            OptimizerRecord::from_bytes(Bytes::from_bytes_vec(state.optimizer)).map_err(|e| RunError::Checkpoint {
                path: ckpt.path().into(),
                problem: format!("has an unreadable optimiser state: {e:?}"),
            })?;
        self.optim = optim::build(&self.plan.optimizer).0.load_record(record);
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
            self.loader = None;
            for (scene, map) in data_mut(&mut self.data)?.train.iter_mut().zip(maps) {
                scene.segments = map;
            }
        }
        self.step = ckpt.meta.step;
        self.loader = None;
        Ok(())
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

/// The gradients of `loss` for the trainable networks.
pub(crate) fn gradients(loss: Tensor<1>, weights: &Weights) -> GradientsParams {
    GradientsParams::from_grads(loss.backward(), &weights.trainable)
}

/// The training data, to rewrite; the loader must be stopped first.
fn data_mut(data: &mut Arc<Dataset>) -> Result<&mut Dataset, RunError> {
    Arc::get_mut(data)
        .ok_or_else(|| RunError::Internal("the training images are still being read while a job rewrites them".into()))
}

/// What one update needs besides the weights and the optimiser.
struct Update {
    views: Views,
    batch: usize,
    /// Fractional epoch, and the run's epochs.
    t: f64,
    epochs: f64,
    lr: f64,
    wd: f64,
    decay: DecayKind,
    /// float16 training: the loss scale.
    scale: Option<f32>,
}

/// What an update measured, its losses still on the device.
struct Updated {
    /// The weighted total, detached.
    total: Tensor<1>,
    /// Each term, unweighted and detached, and each term's weight.
    terms: Vec<Tensor<1>>,
    term_weights: Vec<f64>,
    /// Across ranks: the gradient bytes all-reduced and the seconds it took.
    allreduce: Option<(usize, f64)>,
    /// Whether the gradients were finite (always, but in float16 training), so the step was
    /// taken.
    finite: bool,
}

/// The losses on `u.views`, their weighted sum's gradient, decay, the optimiser's step and the
/// EMA update.
fn update(
    plan: &Plan,
    program: &Program,
    weights: &mut Weights,
    optim: &mut ModuleOptimizer,
    u: Update,
) -> Result<Updated, RunError> {
    let ctx = crate::exec::ops::Ctx {
        epoch: u.t,
        total: u.epochs,
        pass: crate::nets::Pass::Learn,
    };
    let terms =
        crate::dist::stepping(|| crate::precision::during_step(|| program.losses(weights, u.views, u.batch, ctx)))?;
    crate::dist::check()?;
    let mut total: Option<Tensor<1>> = None;
    let mut term_weights = vec![];
    for (term, l) in terms.iter().zip(&plan.losses) {
        let w = l.weight.at(u.t, u.epochs);
        term_weights.push(w);
        let weighted = term.clone().mul_scalar(w as f32);
        total = Some(match total {
            Some(sum) => sum + weighted,
            None => weighted,
        });
    }
    let total = total.ok_or_else(|| RunError::Internal("the recipe has no loss".into()))?;
    let read = (total.clone().detach(), terms.into_iter().map(Tensor::detach).collect());
    // float16: the loss scaled up so that small gradients survive; unscaled before the step.
    let scaled = match u.scale {
        Some(scale) => total.mul_scalar(scale),
        None => total,
    };
    let mut grads = gradients(scaled, weights);
    crate::dist::check()?;
    let held = weights.held_at(u.t);
    optim::drop_held(&weights.trainable, &mut grads, &held);
    let allreduce = if crate::dist::world().is_some() {
        let started = Instant::now();
        let bytes = crate::dist::average_gradients(&weights.trainable, &mut grads)?;
        Some((bytes, started.elapsed().as_secs_f64()))
    } else {
        None
    };
    let finite = match u.scale {
        Some(scale) => crate::scaler::unscale(&weights.trainable, &mut grads, scale),
        None => true,
    };
    if !finite {
        // An overflowed step changes nothing; the scale comes down.
        return Ok(Updated {
            total: read.0,
            terms: read.1,
            term_weights,
            allreduce,
            finite,
        });
    }
    let rates = crate::weights::Rates {
        nets: learning_rates(plan, weights, u.lr),
        layers: optim::layer_factors(plan.optimizer.layer_decay(), &weights.trainable),
    };
    match u.decay {
        DecayKind::Decoupled => weights.decay(&rates, u.wd, held),
        DecayKind::Coupled => optim::couple_decay(&weights.trainable, &mut grads, u.wd, &held),
    }
    let nets = std::mem::take(&mut weights.trainable);
    weights.trainable = optim::step_groups(optim, nets, grads, &rates);
    weights.ema_update(u.t, u.epochs);
    Ok(Updated {
        total: read.0,
        terms: read.1,
        term_weights,
        allreduce,
        finite,
    })
}

/// Each trainable network's learning rate this step: the schedule's value `lr`, or its base
/// value for the optimiser's `fixed_lr` networks, times the network's `lr_scale` factor.
fn learning_rates(plan: &Plan, weights: &Weights, lr: f64) -> Vec<f64> {
    let o = &plan.optimizer;
    let mut lrs = vec![lr; weights.trainable.len()];
    for i in weights.trainable_named(o.fixed_lr()) {
        lrs[i] = o.lr().base();
    }
    for (net, factor) in o.lr_scale() {
        for i in weights.trainable_named(std::slice::from_ref(net)) {
            lrs[i] *= factor;
        }
    }
    lrs
}
