//! Executes a plan's steps for one batch: the CPU view stage, then tensor steps in plan order,
//! freeing each slot after its last reader. Yields the loss terms.

pub mod arith;
pub mod ops;
pub mod segments;
pub mod state;
pub mod tokens;
pub mod transport;
pub mod views;

use burn::module::Module;
use burn::tensor::Tensor;
use sslc_compiler::plan::{Operand, Plan, Slot, StepKind};

use crate::error::RunError;
use crate::nets::Pass;
use crate::val::Val;
use crate::weights::Weights;
use ops::Forward;
use views::ViewStage;

/// Inputs moved off the autodiff device.
fn plain(inputs: Vec<(String, Val)>) -> Vec<(String, Val)> {
    inputs.into_iter().map(|(p, v)| (p, v.inner())).collect()
}

/// A step's inputs by slot, as a tensor op reads them.
fn by_slot(inputs: Vec<(String, Val)>, ports: &[(String, usize)]) -> ops::Inputs {
    ops::Inputs::new(
        ports
            .iter()
            .map(|(_, s)| Slot(*s))
            .zip(inputs.into_iter().map(|(_, v)| v))
            .collect(),
    )
}

/// A plan prepared for execution.
pub struct Program {
    plan: Plan,
    pub views: std::sync::Arc<ViewStage>,
    /// For each slot, the index of the last step that reads it (`usize::MAX` for loss slots).
    last_use: Vec<usize>,
    /// State of each step that keeps some (soft_ce centers), by step index.
    states: Vec<state::OpState>,
}

impl Program {
    pub fn new(plan: &Plan) -> Result<Self, RunError> {
        let mut last_use = vec![0; plan.slots];
        for (i, s) in plan.steps.iter().enumerate() {
            for (_, slot) in &s.inputs {
                last_use[*slot] = i;
            }
        }
        for l in &plan.losses {
            last_use[l.slot] = usize::MAX;
        }
        Ok(Program {
            plan: plan.clone(),
            views: std::sync::Arc::new(ViewStage::new(plan)?),
            last_use,
            states: plan.steps.iter().map(|_| state::OpState::default()).collect(),
        })
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
                let v = slots[l.slot]
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

    /// The slots after the tensor steps: each is freed after its last reader, so what is left
    /// are the values no step reads (losses, a probe's value).
    fn run(
        &self,
        weights: &Weights,
        views: Vec<(usize, Val)>,
        images: usize,
        ctx: ops::Ctx,
    ) -> Result<Vec<Option<Val>>, RunError> {
        let mut slots: Vec<Option<Val>> = vec![None; self.plan.slots];
        for (slot, v) in views {
            slots[slot] = Some(v);
        }
        for (i, step) in self.plan.steps.iter().enumerate() {
            if self.views.cpu[i] {
                continue;
            }
            let mut inputs = Vec::with_capacity(step.inputs.len());
            for (k, (port, slot)) in step.inputs.iter().enumerate() {
                // A slot read twice by this step (`mse(z, z)`) is moved out at its last reading.
                let again = step.inputs[k + 1..].iter().any(|(_, s)| s == slot);
                let v = if self.last_use[*slot] == i && !again {
                    slots[*slot].take()
                } else {
                    slots[*slot].clone()
                };
                let v = v.ok_or_else(|| RunError::Internal(format!("slot ${slot} read before it was written")))?;
                inputs.push((port.clone(), v));
            }
            let out = match &step.kind {
                StepKind::Net { branch, net, output } => {
                    let trainable = weights.is_trainable(branch, net);
                    let net = weights.get(branch, net)?;
                    // Only a pass that trains this network moves what it keeps besides weights.
                    let pass = match ctx.pass {
                        Pass::Learn if step.grad && trainable => Pass::Learn,
                        Pass::Infer => Pass::Infer,
                        _ => Pass::Batch,
                    };
                    match (step.grad, trainable) {
                        (true, _) => net.apply(inputs, *output, pass)?,
                        // No gradient flows here: run without autodiff bookkeeping.
                        (false, true) => net.valid().apply(plain(inputs), *output, pass)?,
                        (false, false) => net.apply(plain(inputs), *output, pass)?,
                    }
                }
                StepKind::Tensor(op) => {
                    let env = ops::Env {
                        at: ctx,
                        images,
                        state: self.states.get(i),
                    };
                    op.forward(&mut by_slot(inputs, &step.inputs), env)?
                }
                StepKind::Arith { op, a, b } => {
                    let mut x = by_slot(inputs, &step.inputs);
                    match (a, b) {
                        (Operand::Constant(c), Operand::Slot(s)) => arith::constant(*op, *c, true, x.take(*s)?),
                        (Operand::Slot(s), Operand::Constant(c)) => arith::constant(*op, *c, false, x.take(*s)?),
                        (Operand::Slot(a), Operand::Slot(b)) => {
                            let (a, b) = (x.take(*a)?, x.take(*b)?);
                            arith::binary(arith::Binary::Arith(*op), a, b)?
                        }
                        (Operand::Constant(_), Operand::Constant(_)) => {
                            return Err(RunError::Internal("arithmetic between two constants".into()));
                        }
                    }
                }
                StepKind::Input { .. } | StepKind::Part { .. } | StepKind::View { .. } => {
                    return Err(RunError::Internal(format!(
                        "step ${} is not a tensor step",
                        step.output
                    )));
                }
            };
            slots[step.output] = Some(out);
        }
        Ok(slots)
    }
}
