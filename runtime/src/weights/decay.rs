//! Weight decay's arithmetic: each parameter's learning rate this step, which parameters
//! decay, and the decoupled decay θ·(1 − rate·wd) applied as a map over a network.

use std::collections::HashMap;

use burn::module::{ModuleMapper, Param, ParamId};
use burn::tensor::Tensor;

use crate::tensor::remake;

/// Each trainable parameter's learning rate this step: its network's, times its layer's factor
/// where layer-wise decay gives it one.
#[derive(Clone, Debug, Default)]
pub struct Rates {
    /// One rate a trainable network.
    pub nets: Vec<f64>,
    /// Factors by parameter (layer-wise decay); a parameter not here has factor 1.
    pub layers: HashMap<ParamId, f64>,
}

impl Rates {
    /// The rate of parameter `id` of trainable network `net`.
    pub fn of(&self, net: usize, id: &ParamId) -> f64 {
        self.nets[net] * self.layers.get(id).copied().unwrap_or(1.0)
    }
}

/// Whether weight decay, decoupled or L2, applies to a parameter of rank `rank`: the weights of
/// linear (rank 2) and convolution (rank 4) layers do; biases and norms (rank 1) do not, nor
/// learned tokens such as a class or mask token (rank 3, timm's `no_weight_decay`), nor
/// parameters held at this step.
pub fn is_decayed(rank: usize, id: &ParamId, held: &[ParamId]) -> bool {
    matches!(rank, 2 | 4) && !held.contains(id)
}

/// Scales the decayed parameters by a factor, keeping them leaves of the autodiff graph.
pub(super) struct Decay<'a> {
    pub net: usize,
    pub rates: &'a Rates,
    pub wd: f64,
    pub held: &'a [ParamId],
}

impl ModuleMapper for Decay<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        if !is_decayed(D, &param.id, self.held) {
            return param;
        }
        let f = (1.0 - self.rates.of(self.net, &param.id) * self.wd) as f32;
        if f == 1.0 {
            return param;
        }
        // Scaled on the plain device, so the result is a fresh leaf of the autodiff graph.
        remake(param, |t| t.inner().mul_scalar(f).autodiff())
    }
}
