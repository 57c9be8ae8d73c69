//! Executes a plan's steps for one batch: the CPU view stage, then tensor steps in plan order,
//! freeing each slot after its last reader, with gradient-free network steps started early on
//! threads of their own. Yields the loss terms.

pub mod arith;
pub mod observe;
pub mod ops;
pub mod segments;
pub mod shape;
mod slots;
pub mod state;
mod stepping;
pub mod tokens;
pub mod transport;
pub mod views;

use burn::tensor::Tensor;
use sslc_compiler::plan::{Input, Plan, StepKind, TensorOp, ViewsOn};

use crate::error::RunError;
use crate::val::Val;
use crate::weights::Weights;
use slots::Slots;
use views::ViewStage;

/// A step's inputs (given in the order of `ports`) by slot, as its op or network reads them.
fn by_slot(inputs: Vec<Val>, ports: &[Input]) -> ops::Inputs {
    ops::Inputs::new(ports.iter().map(|i| i.slot).zip(inputs).collect())
}

/// Each step's place among the plan's queues (0 for a step that is not one): where a queue's
/// first memory is drawn from.
fn queue_ordinals(plan: &Plan) -> Vec<u64> {
    let mut queues = 0;
    plan.steps
        .iter()
        .map(|s| match s.kind {
            StepKind::Tensor(TensorOp::Queue(_)) => {
                queues += 1;
                queues - 1
            }
            _ => 0,
        })
        .collect()
}

/// A plan prepared for execution.
pub struct Program {
    plan: Plan,
    pub views: std::sync::Arc<ViewStage>,
    /// For each slot, the index of the last step that reads it (`usize::MAX` for loss slots).
    last_use: Vec<usize>,
    /// State of each step that keeps some (soft_ce centers), by step index.
    states: Vec<state::OpState>,
    /// The compiler's type of each slot.
    types: Vec<Option<sslc_compiler::types::Ty>>,
    /// What ops report beside their values, while `observing`.
    pub observations: observe::Observations,
    observing: std::sync::atomic::AtomicBool,
    /// Whether every step runs on the calling thread (no gradient-free network started early on
    /// a side thread): what a per-thread observer such as the operator count needs to see all.
    one_thread: std::sync::atomic::AtomicBool,
    /// Where values made from nothing go (constants, the step's draws): the trainer's device.
    /// A probe's program has none, and the compiler lets no such value into a probe.
    device: Option<burn::tensor::Device>,
}

impl Program {
    pub fn new(plan: &Plan) -> Result<Self, RunError> {
        let mut types = vec![None; plan.slots];
        for s in &plan.steps {
            if let Some(t) = types.get_mut(s.output.0) {
                t.clone_from(&s.ty);
            }
        }
        let mut last_use = vec![0; plan.slots];
        for (i, s) in plan.steps.iter().enumerate() {
            for input in &s.inputs {
                last_use[input.slot.0] = i;
            }
        }
        for l in &plan.losses {
            last_use[l.slot.0] = usize::MAX;
        }
        Ok(Program {
            plan: plan.clone(),
            views: std::sync::Arc::new(ViewStage::new(plan)?),
            last_use,
            states: queue_ordinals(plan)
                .into_iter()
                .map(|q| state::OpState::seeded(plan.train.seed, q))
                .collect(),
            types,
            observations: Default::default(),
            observing: Default::default(),
            one_thread: Default::default(),
            device: None,
        })
    }

    /// Whether the next runs' ops report what they observe (teacher entropies).
    pub fn observe(&self, on: bool) {
        self.observing.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether the next runs keep every step on the calling thread. The values are the same
    /// either way: a side step only runs early what the main thread would run later.
    pub fn on_one_thread(&self, on: bool) {
        self.one_thread.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// The same program, making its constants and draws on `device`, and its image views there
    /// too where the plan asks (`data.views`: "device", or "auto" on a GPU, where a recipe whose
    /// views have no device form keeps them on the CPU).
    pub fn on(mut self, device: &burn::tensor::Device) -> Result<Self, RunError> {
        match self.plan.views {
            ViewsOn::Device => self.views = std::sync::Arc::new(ViewStage::on(&self.plan, true)?),
            ViewsOn::Auto if crate::device::is_accelerator(device) => {
                if let Ok(stage) = ViewStage::on(&self.plan, true) {
                    self.views = std::sync::Arc::new(stage);
                }
            }
            ViewsOn::Auto | ViewsOn::Cpu => {}
        }
        self.device = Some(device.clone());
        Ok(self)
    }

    /// The state each stateful step keeps (its centre), by step index.
    pub fn states(&self) -> impl Iterator<Item = (usize, Tensor<1>)> + '_ {
        self.states
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.get().map(|c| (i, c)))
    }

    /// Every step's state as it stands, to put back with `restore_states`.
    pub fn save_states(&self) -> Vec<Option<Tensor<1>>> {
        self.states.iter().map(state::OpState::get).collect()
    }

    /// Puts back states `save_states` took.
    pub fn restore_states(&self, saved: Vec<Option<Tensor<1>>>) {
        for (s, c) in self.states.iter().zip(saved) {
            s.replace(c);
        }
    }

    /// Sets the state of step `step` (a run resumed from a checkpoint).
    pub fn set_state(&self, step: usize, center: Tensor<1>) -> Result<(), RunError> {
        self.states
            .get(step)
            .ok_or_else(|| RunError::Internal(format!("the plan has no step {step} to hold a centre")))?
            .set(center);
        Ok(())
    }

    /// Runs the tensor steps on a batch of `images` images, given the values the view stage
    /// exports, and returns each loss term's `[1]` value, unweighted, in declaration order.
    pub fn losses(
        &self,
        weights: &Weights,
        views: Vec<(usize, Val)>,
        images: usize,
        ctx: ops::Ctx,
    ) -> Result<Vec<Tensor<1>>, RunError> {
        let slots = self.run(weights, views, images, ctx)?;
        self.plan
            .losses
            .iter()
            .map(|l| {
                let v = slots[l.slot.0]
                    .clone()
                    .ok_or_else(|| RunError::Internal(format!("loss `{}` was not computed", l.name)))?;
                Ok(v.scalar()?.mean())
            })
            .collect()
    }

    /// Runs the tensor steps as `losses` does and returns the value of slot `slot`.
    pub fn value(
        &self,
        weights: &Weights,
        views: Vec<(usize, Val)>,
        images: usize,
        ctx: ops::Ctx,
        slot: usize,
    ) -> Result<Val, RunError> {
        self.run(weights, views, images, ctx)?
            .get_mut(slot)
            .and_then(Option::take)
            .ok_or_else(|| RunError::Internal(format!("slot ${slot} was not computed")))
    }

    /// Each loss term's `[1]` value, as `losses` gives it, from values put straight into some
    /// slots (`given`) instead of the steps that make them: only the steps whose inputs are
    /// all given or computed run, in plan order, on this thread. A loss's value from chosen
    /// inputs (the algebra's tests: an expression against a built-in, in float64).
    pub fn losses_given(
        &self,
        weights: &Weights,
        given: Vec<(usize, Val)>,
        images: usize,
        ctx: ops::Ctx,
    ) -> Result<Vec<Option<Tensor<1>>>, RunError> {
        let mut slots: Vec<Option<Val>> = vec![None; self.plan.slots];
        for (slot, v) in given {
            slots[slot] = Some(v);
        }
        for (i, step) in self.plan.steps.iter().enumerate() {
            let computable = !matches!(
                step.kind,
                StepKind::Input { .. } | StepKind::View { .. } | StepKind::Part { .. }
            );
            if slots[step.output.0].is_some() || !computable {
                continue;
            }
            let inputs: Option<Vec<Val>> = step.inputs.iter().map(|i| slots[i.slot.0].clone()).collect();
            if let Some(inputs) = inputs {
                slots[step.output.0] = Some(self.step(i, step, inputs, weights, images, ctx)?);
            }
        }
        self.plan
            .losses
            .iter()
            .map(|l| slots[l.slot.0].clone().map(|v| Ok(v.scalar()?.mean())).transpose())
            .collect()
    }

    /// The slots after the tensor steps: each is freed after its last reader, so what is left
    /// are the values no step reads (losses, a probe's value).
    ///
    /// A network step through which no gradient flows (an EMA target, a frozen network, a
    /// stop-gradient) starts on a thread of its own as soon as its inputs are computed and no
    /// other such step runs, while the steps before and after it go on, and is joined at its
    /// first reader: flex runs many element-wise kernels on one core, and the other core takes
    /// the target's forward meanwhile. Such a step draws no random numbers and updates no
    /// statistics, so the values are those of running the steps in order, bit for bit.
    fn run(
        &self,
        weights: &Weights,
        views: Vec<(usize, Val)>,
        images: usize,
        ctx: ops::Ctx,
    ) -> Result<Vec<Option<Val>>, RunError> {
        std::thread::scope(|scope| {
            let mut slots = Slots::new(self.plan.slots);
            for (slot, v) in views {
                slots.put(slot, v);
            }
            let mut started = vec![false; self.plan.steps.len()];
            for (i, step) in self.plan.steps.iter().enumerate() {
                if self.views.cpu[i] {
                    continue;
                }
                self.start_side_step(i, &mut started, &mut slots, scope, weights, ctx);
                if started[i] {
                    // Its inputs were cloned when it started; free those it read last.
                    for input in &step.inputs {
                        if self.last_use[input.slot.0] == i {
                            slots.free(input.slot.0);
                        }
                    }
                    continue;
                }
                let mut inputs = Vec::with_capacity(step.inputs.len());
                for (k, input) in step.inputs.iter().enumerate() {
                    // A slot read twice by this step (`mse(z, z)`) is moved out at its last reading.
                    let slot = input.slot.0;
                    let again = step.inputs[k + 1..].iter().any(|j| j.slot == input.slot);
                    inputs.push(slots.read(slot, self.last_use[slot] == i && !again)?);
                }
                let v = self.step(i, step, inputs, weights, images, ctx)?;
                slots.put(step.output.0, v);
            }
            slots.finish()
        })
    }
}
