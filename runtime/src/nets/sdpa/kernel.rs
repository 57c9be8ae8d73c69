//! What a backend provides for attention's own backward: a forward that keeps what its backward
//! needs, and that backward.

use burn::backend::Backend;
use burn::backend::tensor::FloatTensor;

/// Attention's forward and backward on one (inner, non-autodiff) backend.
pub trait Kernel: Backend {
    /// What the forward keeps for the backward.
    type Saved: Clone + Send + core::fmt::Debug + 'static;

    /// softmax(q kᵀ / √d) v, with what the backward needs.
    fn attention_forward(
        q: FloatTensor<Self>,
        k: FloatTensor<Self>,
        v: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, Self::Saved);

    /// The gradients of q, k and v from the gradient of the output.
    fn attention_backward(saved: Self::Saved, grad: FloatTensor<Self>) -> [FloatTensor<Self>; 3];
}

#[cfg(feature = "flex")]
impl Kernel for burn::backend::Flex {
    type Saved = super::recompute::Saved<Self>;

    fn attention_forward(
        q: FloatTensor<Self>,
        k: FloatTensor<Self>,
        v: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, Self::Saved) {
        super::recompute::forward::<Self>(q, k, v)
    }

    fn attention_backward(saved: Self::Saved, grad: FloatTensor<Self>) -> [FloatTensor<Self>; 3] {
        super::recompute::backward::<Self>(saved, grad)
    }
}
