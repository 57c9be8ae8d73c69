//! One update: the losses on a batch's views, their weighted sum's gradient, decay, the
//! optimiser's step and the EMA update.

use std::time::Instant;

use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use sslc_compiler::plan::Plan;

use crate::error::RunError;
use crate::exec::Program;
use crate::loader::Views;
use crate::optim::{self, DecayKind, Stepper};
use crate::weights::Weights;

/// The gradients of `loss` for the trainable networks.
pub(crate) fn gradients(loss: Tensor<1>, weights: &Weights) -> GradientsParams {
    GradientsParams::from_grads(loss.backward(), &weights.trainable)
}

/// What one update needs besides the weights and the optimiser.
pub(super) struct Update {
    pub(super) views: Views,
    pub(super) batch: usize,
    /// Fractional epoch, and the run's epochs.
    pub(super) t: f64,
    pub(super) epochs: f64,
    pub(super) lr: f64,
    pub(super) wd: f64,
    pub(super) decay: DecayKind,
    /// float16 training: the loss scale.
    pub(super) scale: Option<f32>,
}

/// What an update measured, its losses still on the device.
pub(super) struct Updated {
    /// The weighted total, detached.
    pub(super) total: Tensor<1>,
    /// Each term, unweighted and detached, and each term's weight.
    pub(super) terms: Vec<Tensor<1>>,
    pub(super) term_weights: Vec<f64>,
    /// Across ranks: the gradient bytes all-reduced and the seconds it took.
    pub(super) allreduce: Option<(usize, f64)>,
    /// Whether the gradients were finite (always, but in float16 training), so the step was
    /// taken.
    pub(super) finite: bool,
}

/// The losses on `u.views`, their weighted sum's gradient, decay, the optimiser's step and the
/// EMA update.
pub(super) fn update(
    plan: &Plan,
    program: &Program,
    weights: &mut Weights,
    optim: &mut Stepper,
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
    let nets = std::mem::take(&mut weights.trainable);
    weights.trainable = match optim {
        // The decay, the moments and the update over one flat buffer.
        Stepper::Flat(flat) => flat.step(nets, grads, &rates, u.wd, &held),
        Stepper::Burn(optim) => {
            weights.trainable = nets;
            match u.decay {
                DecayKind::Decoupled => weights.decay(&rates, u.wd, held),
                DecayKind::Coupled => optim::couple_decay(&weights.trainable, &mut grads, u.wd, &held),
            }
            let nets = std::mem::take(&mut weights.trainable);
            optim::step_groups(optim, nets, grads, &rates)
        }
    };
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
