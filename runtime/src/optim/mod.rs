//! The optimiser a recipe names, on burn: AdamW (its weight decay decoupled, applied by
//! `Weights::decay`), Adam and SGD with L2 decay added to the gradient, and LARS.

use std::collections::{HashMap, HashSet};

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::momentum::{Momentum, MomentumConfig};
use burn::optim::{AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer, Optimizer, SgdConfig, SgdState};
use burn::tensor::{Device, Tensor};
use sslc_compiler::plan::OptimizerKind;

use crate::nets::Net;
use crate::weights::{Rates, is_decayed};

mod flat;

pub use flat::FlatAdamW;

/// The optimiser of a run: AdamW over one flat buffer, every other as burn's per-parameter
/// optimiser (also AdamW resumed from a checkpoint that holds burn's record).
pub enum Stepper {
    Flat(Box<FlatAdamW>),
    Burn(ModuleOptimizer),
}

impl Stepper {
    /// The optimiser `kind` names, with the way its decay reaches the weights.
    pub fn new(kind: &OptimizerKind) -> (Stepper, DecayKind) {
        match kind {
            OptimizerKind::AdamW(o) => (
                Stepper::Flat(Box::new(FlatAdamW::new(
                    (o.betas.0 as f32, o.betas.1 as f32),
                    1e-8,
                    o.clip,
                ))),
                DecayKind::Decoupled,
            ),
            _ => {
                let (optim, decay) = build(kind);
                (Stepper::Burn(optim), decay)
            }
        }
    }

    /// The state for a checkpoint.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Stepper::Flat(f) => f.to_bytes(),
            Stepper::Burn(o) => o
                .to_record()
                .into_bytes()
                .map(|b| b.to_vec())
                .map_err(|e| format!("{e:?}")),
        }
    }

    /// The optimiser `kind` names with the state `bytes` hold (its own, or burn's record).
    pub fn load(kind: &OptimizerKind, bytes: Vec<u8>, device: &Device) -> Result<Stepper, String> {
        let (mut stepper, _) = Stepper::new(kind);
        match &mut stepper {
            Stepper::Flat(f) if FlatAdamW::holds(&bytes) => f.load(&bytes, device)?,
            _ => {
                let record = burn::optim::OptimizerRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
                    .map_err(|e| format!("{e:?}"))?;
                stepper = Stepper::Burn(build(kind).0.load_record(record));
            }
        }
        Ok(stepper)
    }
}

/// How an optimiser's weight decay reaches the weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecayKind {
    /// θ ← θ·(1 − lr·wd) beside the update (AdamW).
    Decoupled,
    /// g ← g + wd·θ before the update (Adam, SGD, LARS).
    Coupled,
}

/// Builds the optimiser `kind`; the learning rate and weight decay are scheduled by the
/// trainer.
pub fn build(kind: &OptimizerKind) -> (ModuleOptimizer, DecayKind) {
    let clipping = |clip: f64| (clip > 0.0).then_some(GradientClippingConfig::Norm(clip as f32));
    let momentum = |m: f64| MomentumConfig::new().with_momentum(m).with_dampening(0.0);
    match kind {
        OptimizerKind::AdamW(o) => {
            let optim = AdamWConfig::new()
                .with_beta_1(o.betas.0 as f32)
                .with_beta_2(o.betas.1 as f32)
                .with_epsilon(1e-8)
                .with_weight_decay(0.0)
                .with_grad_clipping(clipping(o.clip))
                .init();
            (optim, DecayKind::Decoupled)
        }
        OptimizerKind::Adam(o) => {
            let optim = AdamConfig::new()
                .with_beta_1(o.betas.0 as f32)
                .with_beta_2(o.betas.1 as f32)
                .with_epsilon(1e-8)
                .with_grad_clipping(clipping(o.clip))
                .init();
            (optim, DecayKind::Coupled)
        }
        OptimizerKind::Sgd(o) => {
            let optim = SgdConfig::new()
                .with_momentum(Some(momentum(o.momentum)))
                .with_gradient_clipping(clipping(o.clip))
                .init();
            (optim, DecayKind::Coupled)
        }
        OptimizerKind::Lars(o) => {
            let lars = Lars {
                momentum: Momentum::new(&momentum(o.momentum)),
                eta: o.eta as f32,
            };
            let mut optim = ModuleOptimizer::from(lars);
            if let Some(c) = clipping(o.clip) {
                optim = optim.with_grad_clipping(c.init());
            }
            (optim, DecayKind::Coupled)
        }
    }
}

/// LARS (You et al.), as in the Barlow Twins reference: for a matrix, the gradient (decay
/// included) is scaled by the trust ratio η·‖θ‖/‖g‖ (1 where either norm is 0); biases and
/// norms are not adapted. Then v ← m·v + g and θ ← θ − lr·v.
#[derive(Clone)]
pub struct Lars {
    pub momentum: Momentum,
    pub eta: f32,
}

/// ‖t‖ as a one-element tensor, left on the device.
fn norm<const D: usize>(t: &Tensor<D>) -> Tensor<1> {
    t.clone().powf_scalar(2.0).sum().sqrt()
}

impl Optimizer for Lars {
    type State<const D: usize> = SgdState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<SgdState<D>>,
    ) -> (Tensor<D>, Option<SgdState<D>>) {
        let grad = if D >= 2 {
            // Computed on the device: the step reads nothing back.
            let (w, g) = (norm(&tensor), norm(&grad));
            let both = w.clone().greater_elem(0.0).bool_and(g.clone().greater_elem(0.0));
            let trust = w.ones_like().mask_where(both, w.mul_scalar(self.eta) / g);
            grad * trust.reshape([1; D])
        } else {
            grad
        };
        let (velocity, m) = self.momentum.transform(grad, state.and_then(|s| s.momentum));
        (tensor - velocity.mul_scalar(lr), Some(SgdState::new(Some(m))))
    }

    fn to_device<const D: usize>(state: SgdState<D>, device: &Device) -> SgdState<D> {
        SgdState::new(state.momentum.map(|m| m.to_device(device)))
    }
}

/// Layer-wise learning-rate decay (BEiT; timm's `layer_decay`): in each ViT, a parameter of
/// layer l of L + 1 (the embeddings 0, block i i + 1, the final norm L + 1, for depth L) trains
/// at the rate times decay^(L + 1 − l). Other networks keep their rate. Empty for decay 1.
pub fn layer_factors(decay: f64, nets: &[Net]) -> HashMap<ParamId, f64> {
    let mut out = HashMap::new();
    if decay == 1.0 {
        return out;
    }
    for net in nets {
        if let Net::Vit(vit) = net {
            let (layers, top) = vit.layers();
            for (id, layer) in layers {
                out.insert(id, decay.powi((top - layer) as i32));
            }
        }
    }
    out
}

/// One optimiser step with a learning rate per parameter: parameters of equal rate step as one
/// group. The optimiser's state is kept by parameter, so the groups share it.
pub fn step_groups(optim: &mut ModuleOptimizer, nets: Vec<Net>, mut grads: GradientsParams, rates: &Rates) -> Vec<Net> {
    let ids: Vec<Vec<ParamId>> = nets.iter().map(param_ids).collect();
    let mut distinct: Vec<f64> = ids
        .iter()
        .enumerate()
        .flat_map(|(n, ids)| ids.iter().map(move |id| rates.of(n, id)))
        .collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    match distinct[..] {
        [] => return nets,
        [only] => return optim.step(only, nets, grads),
        _ => {}
    }
    let mut slots: Vec<Option<Net>> = nets.into_iter().map(Some).collect();
    for &rate in &distinct {
        let mut own = GradientsParams::new();
        let mut at = vec![];
        for (n, ids) in ids.iter().enumerate() {
            let mine: HashSet<ParamId> = ids.iter().copied().filter(|id| rates.of(n, id) == rate).collect();
            if mine.is_empty() {
                continue;
            }
            if let Some(net) = &slots[n] {
                net.visit(&mut Take {
                    from: &mut grads,
                    to: &mut own,
                    only: &mine,
                });
            }
            at.push(n);
        }
        let group: Vec<Net> = at.iter().filter_map(|&n| slots[n].take()).collect();
        for (n, net) in at.into_iter().zip(optim.step(rate, group, own)) {
            slots[n] = Some(net);
        }
    }
    slots.into_iter().flatten().collect()
}

/// The ids of a module's float parameters, in visiting order.
pub fn param_ids(net: &Net) -> Vec<ParamId> {
    struct Ids(Vec<ParamId>);
    impl ModuleVisitor for Ids {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.id);
        }
    }
    let mut ids = Ids(vec![]);
    net.visit(&mut ids);
    ids.0
}

/// Moves the gradients of the parameters it visits, those in `only`, from one set to another.
struct Take<'a> {
    from: &'a mut GradientsParams,
    to: &'a mut GradientsParams,
    only: &'a HashSet<ParamId>,
}

impl ModuleVisitor for Take<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if !self.only.contains(&param.id) {
            return;
        }
        if let Some(g) = self.from.remove::<D>(param.id) {
            self.to.register::<D>(param.id, g);
        }
    }
}

/// Drops the gradients of the `held` parameters, whatever their rank, so the optimiser leaves
/// them as they are.
pub fn drop_held(nets: &[Net], grads: &mut GradientsParams, held: &[ParamId]) {
    if held.is_empty() {
        return;
    }
    let mut visitor = DropHeld { grads, held };
    for net in nets {
        net.visit(&mut visitor);
    }
}

struct DropHeld<'a> {
    grads: &'a mut GradientsParams,
    held: &'a [ParamId],
}

impl ModuleVisitor for DropHeld<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if self.held.contains(&param.id) {
            self.grads.remove::<D>(param.id);
        }
    }
}

/// Adds wd·θ to the gradient of every decayed parameter (L2 decay; the same parameters as
/// decoupled decay, `weights::is_decayed`).
pub fn couple_decay(nets: &[Net], grads: &mut GradientsParams, wd: f64, held: &[ParamId]) {
    if wd == 0.0 {
        return;
    }
    let mut visitor = Couple { grads, wd, held };
    for net in nets {
        net.visit(&mut visitor);
    }
}

struct Couple<'a> {
    grads: &'a mut GradientsParams,
    wd: f64,
    held: &'a [ParamId],
}

impl ModuleVisitor for Couple<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if !is_decayed(D, &param.id, self.held) {
            return;
        }
        if let Some(g) = self.grads.remove::<D>(param.id) {
            let decay = param.val().inner().mul_scalar(self.wd);
            self.grads.register::<D>(param.id, g.add(decay));
        }
    }
}
