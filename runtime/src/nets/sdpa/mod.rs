//! Scaled dot-product attention with a backward pass of its own. burn's autodiff records a
//! trained attention as its composition (two products, a scale and a softmax of six element-wise
//! steps) and keeps the `[batch, heads, tokens, tokens]` maps between them; here the trained
//! forward runs the backend's fused kernel, keeps q, k, v and the output, and the backward
//! recomputes the weights once (or, on libtorch's CPU device, runs PyTorch's flash-attention
//! backward, as PyTorch itself does).

#[cfg(feature = "flex")]
mod flex;
mod recompute;
#[cfg(feature = "tch")]
mod torch;

use burn::backend::{Backend, DispatchKindConversion, DispatchTensor};
use burn::tensor::Tensor;
use burn::tensor::module::attention as fused;
use burn::tensor::ops::AttentionModuleOptions;

use crate::own::{Ad, Own, lift, lower, record};

/// The op: softmax(q kᵀ / √d) v, unscaled inputs, no mask.
#[derive(Clone, Copy, Debug)]
struct Attend;

/// softmax(q kᵀ / √d) v over `[batch, heads, tokens, d]`.
pub fn attention(q: Tensor<4>, k: Tensor<4>, v: Tensor<4>) -> Tensor<4> {
    use crate::precision::{down, up};
    up(attend(down(q), down(k), down(v)))
}

/// [`attention`] in the inputs' own precision.
fn attend(q: Tensor<4>, k: Tensor<4>, v: Tensor<4>) -> Tensor<4> {
    if q.is_autodiff() {
        #[cfg(feature = "flex")]
        if let Some(out) = tracked::<burn::backend::Flex>(&q, &k, &v) {
            return out;
        }
        #[cfg(feature = "tch")]
        #[allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.
        if let Some(out) = tracked::<burn::backend::LibTorch>(&q, &k, &v) {
            return out;
        }
    }
    fused(q, k, v, None, None, AttentionModuleOptions::default())
}

/// The attention recorded as one node of `Autodiff<B>`, or `None` when the inputs live elsewhere.
#[allow(dead_code)] // unused in a build with none of the backends above
fn tracked<B: Backend>(q: &Tensor<4>, k: &Tensor<4>, v: &Tensor<4>) -> Option<Tensor<4>>
where
    Attend: Own<B, 3>,
    DispatchTensor: DispatchKindConversion<Ad<B>>,
{
    let inputs = [lift::<B, 4>(q)?, lift::<B, 4>(k)?, lift::<B, 4>(v)?];
    Some(lower(record(Attend, inputs)))
}
