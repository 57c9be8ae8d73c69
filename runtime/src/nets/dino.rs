//! The DINO head: an MLP to a bottleneck (GELU between layers), L2 normalisation, then a
//! weight-normalised linear layer onto the prototypes with its gain fixed at 1.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::gelu;
use burn::tensor::{Device, Distribution, Tensor};

use super::init::{linear, widths};
use crate::tensor::l2norm;

/// Settings read from the recipe.
#[derive(Clone, Debug)]
pub struct DinoSpec {
    pub input: usize,
    pub hidden: usize,
    pub bottleneck: usize,
    pub prototypes: usize,
    pub layers: usize,
}

#[derive(Module, Debug)]
pub struct DinoHead {
    mlp: Vec<Linear>,
    /// `[bottleneck, prototypes]`; each prototype (column) is used at unit length.
    pub last: Param<Tensor<2>>,
}

impl DinoHead {
    pub fn new(spec: &DinoSpec, device: &Device) -> Self {
        let n = spec.layers.max(1);
        let widths = widths(spec.input, spec.hidden, spec.bottleneck, spec.layers);
        let shape = [spec.bottleneck, spec.prototypes];
        let last = super::init::param(shape, device, || {
            Tensor::random(shape, Distribution::Normal(0.0, 0.02), device)
        });
        DinoHead {
            mlp: (0..n).map(|i| linear(widths[i], widths[i + 1], device)).collect(),
            last,
        }
    }

    /// `x`: `[rows, input]` → logits `[rows, prototypes]`.
    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.mlp.len() - 1;
        for (i, layer) in self.mlp.iter().enumerate() {
            x = crate::precision::linear(layer, x);
            if i < last {
                x = gelu(x);
            }
        }
        let w = self.last.val();
        let norms = w.clone().powf_scalar(2.0).sum_dim(0).sqrt().clamp_min(1e-12);
        l2norm(x).matmul(w / norms)
    }
}
