//! Multi-layer perceptron over vectors or tokens: linear layers with optional BatchNorm and an
//! activation between them (the BYOL projector and predictor).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::activation::{gelu, relu};
use burn::tensor::{Device, Tensor};

use super::batchnorm::BatchNorm;
use super::init::{linear, widths};

/// Settings read from the recipe.
#[derive(Clone, Debug)]
pub struct MlpSpec {
    pub input: usize,
    pub hidden: usize,
    pub out: usize,
    pub layers: usize,
    pub bn: bool,
    pub gelu: bool,
}

#[derive(Module, Debug)]
pub struct Mlp {
    linears: Vec<Linear>,
    norms: Vec<BatchNorm>,
    gelu: bool,
}

impl Mlp {
    pub fn new(spec: &MlpSpec, device: &Device) -> Self {
        let n = spec.layers.max(1);
        let widths = widths(spec.input, spec.hidden, spec.out, spec.layers);
        Mlp {
            linears: (0..n).map(|i| linear(widths[i], widths[i + 1], device)).collect(),
            norms: if spec.bn {
                (1..n).map(|i| BatchNorm::new(widths[i], device)).collect()
            } else {
                vec![]
            },
            gelu: spec.gelu,
        }
    }

    /// `x`: `[rows, width]`; tokens are flattened to rows by the caller.
    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.linears.len() - 1;
        for (i, layer) in self.linears.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                if let Some(norm) = self.norms.get(i) {
                    x = norm.forward(x);
                }
                x = if self.gelu { gelu(x) } else { relu(x) };
            }
        }
        x
    }
}
