//! LayerNorm with a backward pass of its own. burn's autodiff records a trained LayerNorm as its
//! composition (two means, a subtraction, a square, a root, a division, the scale and the shift:
//! about twenty kernels forward and back, each a node keeping its inputs); here the forward is the
//! backend's fused kernel and the backward the closed form from each row's mean and 1/σ.

#[cfg(feature = "flex")]
mod flex;
mod formula;
#[cfg(feature = "flex")]
mod rows;
#[cfg(feature = "tch")]
mod torch;

use burn::backend::{Backend, DispatchKindConversion, DispatchTensor};
use burn::nn::{LayerNorm, LayerNormConfig};
use burn::tensor::module::layer_norm as fused;
use burn::tensor::{Device, Tensor};

use crate::own::{Ad, Own, lift, lower, record};

/// The ε of every LayerNorm sslc builds (timm's ViTs use the same).
pub const EPS: f64 = 1e-6;

/// A LayerNorm over the last axis of width `dim`, scale 1 and shift 0.
pub fn new(dim: usize, device: &Device) -> LayerNorm {
    LayerNormConfig::new(dim).with_epsilon(EPS).init(device)
}

/// The op: (x − mean) / √(var + ε) · γ + β over the last axis.
#[derive(Clone, Copy, Debug)]
struct Normalise {
    eps: f64,
}

/// `norm` (built by [`new`]) applied to `x`.
pub fn forward<const D: usize>(norm: &LayerNorm, x: Tensor<D>) -> Tensor<D> {
    let gamma = norm.gamma.val();
    let Some(beta) = norm.beta.as_ref().map(|b| b.val()) else {
        return norm.forward(x);
    };
    let op = Normalise { eps: EPS };
    if x.is_autodiff() {
        #[cfg(feature = "flex")]
        if let Some(out) = tracked::<burn::backend::Flex, D>(op, &x, &gamma, &beta) {
            return out;
        }
        #[cfg(feature = "tch")]
        #[allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.
        if let Some(out) = tracked::<burn::backend::LibTorch, D>(op, &x, &gamma, &beta) {
            return out;
        }
    }
    fused(x, gamma, Some(beta), op.eps)
}

/// The LayerNorm recorded as one node of `Autodiff<B>`, or `None` when the inputs live elsewhere.
#[allow(dead_code)] // unused in a build with none of the backends above
fn tracked<B: Backend, const D: usize>(
    op: Normalise,
    x: &Tensor<D>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
) -> Option<Tensor<D>>
where
    Normalise: Own<B, 3>,
    DispatchTensor: DispatchKindConversion<Ad<B>>,
{
    let inputs = [lift::<B, D>(x)?, lift::<B, 1>(gamma)?, lift::<B, 1>(beta)?];
    Some(lower(record(op, inputs)))
}
