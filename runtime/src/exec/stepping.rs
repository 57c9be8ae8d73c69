//! One step of a program on its inputs: a network applied (on the main thread or started early
//! on a side thread when no gradient flows through it), a tensor op with its environment, or
//! elementwise arithmetic.

use burn::module::Module;
use sslc_compiler::plan::{BranchId, NetId, NetOutput, NetPorts, Operand, Slot, Step, StepKind};

use super::slots::Slots;
use super::{Program, arith, by_slot, ops};
use crate::error::RunError;
use crate::nets::Pass;
use crate::val::Val;
use crate::weights::Weights;
use ops::Forward;

impl Program {
    /// Starts on a thread of its own the first gradient-free network step from step `from` on
    /// whose inputs are all computed, unless a side thread is still busy: two forwards beside
    /// the main thread's would hold two sets of intermediate buffers at once.
    pub(super) fn start_side_step<'scope, 'env>(
        &'env self,
        from: usize,
        started: &mut [bool],
        slots: &mut Slots<'scope>,
        scope: &'scope std::thread::Scope<'scope, 'env>,
        weights: &'env Weights,
        ctx: ops::Ctx,
    ) {
        // Across ranks every collective must come in one order on every rank: no side thread.
        let one_thread = self.one_thread.load(std::sync::atomic::Ordering::SeqCst);
        if one_thread || slots.busy() || crate::dist::world().is_some() {
            return;
        }
        let ready = self.plan.steps.iter().enumerate().skip(from).find(|(j, step)| {
            matches!(step.kind, StepKind::Net { .. })
                && !step.grad
                && !started[*j]
                && !self.views.cpu[*j]
                && step.inputs.iter().all(|i| slots.ready(i.slot.0))
        });
        let Some((j, step)) = ready else {
            return;
        };
        let StepKind::Net {
            branch,
            net,
            output,
            ports,
        } = &step.kind
        else {
            return;
        };
        let Some(values) = step
            .inputs
            .iter()
            .map(|i| slots.peek(i.slot.0))
            .collect::<Option<Vec<Val>>>()
        else {
            return;
        };
        let inputs = by_slot(values, &step.inputs);
        let (branch, net, output, ports) = (*branch, *net, *output, *ports);
        slots.start(
            step.output.0,
            scope.spawn(move || net_step(weights, (branch, net, output, ports), false, inputs, ctx)),
        );
        started[j] = true;
    }

    /// Runs step `i` on its inputs, on this thread.
    pub(super) fn step(
        &self,
        i: usize,
        step: &Step,
        inputs: Vec<Val>,
        weights: &Weights,
        images: usize,
        ctx: ops::Ctx,
    ) -> Result<Val, RunError> {
        Ok(match &step.kind {
            StepKind::Net {
                branch,
                net,
                output,
                ports,
            } => net_step(
                weights,
                (*branch, *net, *output, *ports),
                step.grad,
                by_slot(inputs, &step.inputs),
                ctx,
            )?,
            StepKind::Tensor(op) => {
                let inputs = ops::detach_marked(inputs, &step.inputs);
                // Across ranks, an op that couples the batch sees every rank's images.
                let coupled = step.couples && crate::dist::world().is_some();
                let (inputs, seen) = if coupled {
                    let types: Vec<_> = step
                        .inputs
                        .iter()
                        .map(|i| self.types.get(i.slot.0).and_then(Option::as_ref))
                        .collect();
                    let all = crate::dist::gather_inputs(inputs, &types, images)?;
                    (all, images * crate::dist::size())
                } else {
                    (inputs, images)
                };
                let env = ops::Env {
                    at: ctx,
                    images: seen,
                    state: self.states.get(i),
                    types: ops::Types {
                        out: step.ty.as_ref(),
                        slots: &self.types,
                    },
                    device: self.device.as_ref(),
                    observe: self
                        .observing
                        .load(std::sync::atomic::Ordering::SeqCst)
                        .then_some((&self.observations, i)),
                };
                let out = op.forward(&mut by_slot(inputs, &step.inputs), env)?;
                match (coupled, &step.ty) {
                    (true, Some(ty)) => crate::dist::own_rows(out, ty, images)?,
                    _ => out,
                }
            }
            StepKind::Arith { op, a, b } => {
                let mut x = by_slot(inputs, &step.inputs);
                // A constant operand: a number, or a schedule's value now.
                let constant = |o: &Operand| match o {
                    Operand::Constant(c) => Some(*c),
                    Operand::Schedule(s) => Some(s.at(ctx.epoch, ctx.total)),
                    Operand::Slot(_) => None,
                };
                match (a, b) {
                    (Operand::Slot(a), Operand::Slot(b)) => {
                        let ty = |s: &Slot| self.types.get(s.0).and_then(Option::as_ref);
                        let (va, vb) = (x.take(*a)?, x.take(*b)?);
                        match (ty(a), ty(b), step.ty.as_ref()) {
                            (Some(ta), Some(tb), Some(out)) => arith::typed(*op, (va, ta), (vb, tb), out)?,
                            _ => arith::binary(arith::Binary::Arith(*op), va, vb)?,
                        }
                    }
                    (c, Operand::Slot(s)) if constant(c).is_some() => {
                        arith::constant(*op, constant(c).unwrap_or_default(), true, x.take(*s)?)
                    }
                    (Operand::Slot(s), c) if constant(c).is_some() => {
                        arith::constant(*op, constant(c).unwrap_or_default(), false, x.take(*s)?)
                    }
                    _ => return Err(RunError::Internal("arithmetic between two constants".into())),
                }
            }
            StepKind::Input { .. } | StepKind::Part { .. } | StepKind::View { .. } => {
                return Err(RunError::Internal(format!(
                    "step ${} is not a tensor step",
                    step.output.0
                )));
            }
        })
    }
}

/// Runs network `net` of `branch` on the values of its `ports`; `grad` tells whether a
/// gradient flows back through this step.
fn net_step(
    weights: &Weights,
    (branch, net, output, ports): (BranchId, NetId, NetOutput, NetPorts),
    grad: bool,
    mut inputs: ops::Inputs,
    ctx: ops::Ctx,
) -> Result<Val, RunError> {
    let trainable = weights.is_trainable(branch, net);
    let net = weights.get(branch, net)?;
    // Only a pass that trains this network moves what it keeps besides weights.
    let pass = match ctx.pass {
        Pass::Learn if grad && trainable => Pass::Learn,
        Pass::Infer => Pass::Infer,
        _ => Pass::Batch,
    };
    let x = inputs.take(ports.x)?;
    let mut port = |slot: Option<Slot>| slot.map(|s| inputs.take(s)).transpose();
    let (mask, context) = (port(ports.mask)?, port(ports.context)?);
    // No gradient flows here: run without autodiff bookkeeping.
    let plain = |v: Option<Val>| v.map(Val::inner);
    match (grad, trainable) {
        (true, _) => net.apply(x, mask, context, output, pass),
        (false, true) => net.valid().apply(x.inner(), plain(mask), plain(context), output, pass),
        (false, false) => net.apply(x.inner(), plain(mask), plain(context), output, pass),
    }
}
