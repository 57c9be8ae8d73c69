//! Ops with a backward pass of their own. burn's autodiff records an op it has no node for as
//! its composition, every step a node keeping its inputs; an [`Own`] op is one node whose
//! forward is the backend's fused kernel and whose backward is the op's.

mod node;

use burn::backend::Autodiff;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, DispatchKindConversion, DispatchTensor};
use burn::tensor::Tensor;

pub use node::record;

/// sslc trains without gradient checkpointing (`Device::autodiff()`'s default).
pub type Ad<B> = Autodiff<B, NoCheckpointing>;

/// An op of `N` float inputs and one output on the inner (non-autodiff) backend `B`.
pub trait Own<B: Backend, const N: usize>: Clone + Send + core::fmt::Debug + 'static {
    /// What the forward keeps for the backward.
    type Saved: Clone + Send + core::fmt::Debug + 'static;

    /// The output, with what the backward needs.
    fn forward(&self, inputs: [FloatTensor<B>; N]) -> (FloatTensor<B>, Self::Saved);

    /// The output when no input is tracked.
    fn infer(&self, inputs: [FloatTensor<B>; N]) -> FloatTensor<B>;

    /// The gradients of the inputs from the gradient of the output.
    fn backward(self, saved: Self::Saved, grad: FloatTensor<B>) -> [FloatTensor<B>; N];
}

/// `t` as a tensor of `Autodiff<B>`, or `None` when it lives on another backend.
pub fn lift<B: Backend, const D: usize>(t: &Tensor<D>) -> Option<FloatTensor<Ad<B>>>
where
    DispatchTensor: DispatchKindConversion<Ad<B>>,
{
    t.clone().try_into_primitive::<Ad<B>>().ok()
}

/// The inverse of [`lift`].
pub fn lower<B: Backend, const D: usize>(t: FloatTensor<Ad<B>>) -> Tensor<D>
where
    DispatchTensor: DispatchKindConversion<Ad<B>>,
{
    Tensor::from_primitive::<Ad<B>>(t)
}
