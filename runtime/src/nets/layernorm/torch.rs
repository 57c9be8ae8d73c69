//! LayerNorm on libtorch: PyTorch's `native_layer_norm`, which also returns the rows' mean and
//! 1/σ for the backward (tch has no binding for its fused backward, so that is the closed form).

#![allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.

use burn::backend::LibTorch;
use burn::backend::libtorch::TchTensor;
use burn::backend::tensor::FloatTensor;

use super::{Normalise, formula};
use crate::own::Own;

/// x, γ, and each row's mean and 1/σ.
#[derive(Clone, Debug)]
pub struct Saved {
    x: TchTensor,
    gamma: TchTensor,
    mean: TchTensor,
    rstd: TchTensor,
}

impl Own<LibTorch, 3> for Normalise {
    type Saved = Saved;

    fn forward(&self, [x, gamma, beta]: [FloatTensor<LibTorch>; 3]) -> (FloatTensor<LibTorch>, Saved) {
        let d = *x.tensor.size().last().expect("a tensor of rank 1 or more");
        let (out, mean, rstd) =
            tch::Tensor::native_layer_norm(&x.tensor, [d], Some(&gamma.tensor), Some(&beta.tensor), self.eps);
        let saved = Saved {
            x,
            gamma,
            mean: TchTensor::new(mean),
            rstd: TchTensor::new(rstd),
        };
        (TchTensor::new(out), saved)
    }

    fn infer(&self, [x, gamma, beta]: [FloatTensor<LibTorch>; 3]) -> FloatTensor<LibTorch> {
        formula::fused::<LibTorch>(x, gamma, beta, self.eps)
    }

    fn backward(self, saved: Saved, dy: FloatTensor<LibTorch>) -> [FloatTensor<LibTorch>; 3] {
        let Saved { x, gamma, mean, rstd } = saved;
        formula::backward::<LibTorch>(x, gamma, (mean, rstd), dy)
    }
}
