//! Scaled dot-product attention with a backward pass of its own. burn's autodiff records a
//! trained attention as its composition (two products, a scale and a softmax of six element-wise
//! steps) and keeps the `[batch, heads, tokens, tokens]` maps between them; here the trained
//! forward runs the backend's fused kernel, keeps q, k, v and the output, and the backward
//! recomputes the weights once (or, on libtorch's CPU device, runs PyTorch's flash-attention
//! backward, as PyTorch itself does).

mod backward;
mod kernel;
mod recompute;
#[cfg(feature = "tch")]
mod torch;

use burn::tensor::Tensor;
use burn::tensor::module::attention as fused;
use burn::tensor::ops::AttentionModuleOptions;

pub use kernel::Kernel;

/// softmax(q kᵀ / √d) v over `[batch, heads, tokens, d]`.
pub fn attention(q: Tensor<4>, k: Tensor<4>, v: Tensor<4>) -> Tensor<4> {
    let (q, k, v) = if q.is_autodiff() {
        #[cfg(feature = "flex")]
        let (q, k, v) = match backward::tracked::<burn::backend::Flex>(q, k, v) {
            Ok(out) => return out,
            Err(inputs) => inputs,
        };
        #[cfg(feature = "tch")]
        #[allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.
        let (q, k, v) = match backward::tracked::<burn::backend::LibTorch>(q, k, v) {
            Ok(out) => return out,
            Err(inputs) => inputs,
        };
        (q, k, v)
    } else {
        (q, k, v)
    };
    fused(q, k, v, None, None, AttentionModuleOptions::default())
}
