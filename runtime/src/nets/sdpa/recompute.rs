//! Attention's backward for any backend, from q, k, v and the output: the weights
//! S = softmax(q kᵀ / √d) are recomputed once, then dv = Sᵀ g, dS = S ⊙ (g vᵀ − rowsum(g ⊙ o)),
//! dq = dS k / √d and dk = dSᵀ q / √d.

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, TensorMetadata};
use burn::tensor::ops::AttentionModuleOptions;

/// What the forward keeps: the inputs and the output.
#[derive(Clone, Debug)]
pub struct Saved<B: Backend> {
    q: FloatTensor<B>,
    k: FloatTensor<B>,
    v: FloatTensor<B>,
    out: FloatTensor<B>,
}

/// The backend's fused attention.
pub fn fused<B: Backend>(q: FloatTensor<B>, k: FloatTensor<B>, v: FloatTensor<B>) -> FloatTensor<B> {
    B::attention(q, k, v, None, None, AttentionModuleOptions::default())
}

/// The backend's fused attention, keeping its inputs and output.
pub fn forward<B: Backend>(q: FloatTensor<B>, k: FloatTensor<B>, v: FloatTensor<B>) -> (FloatTensor<B>, Saved<B>) {
    let out = fused::<B>(q.clone(), k.clone(), v.clone());
    let saved = Saved {
        q,
        k,
        v,
        out: out.clone(),
    };
    (out, saved)
}

/// The gradients of q, k and v.
pub fn backward<B: Backend>(saved: Saved<B>, grad: FloatTensor<B>) -> [FloatTensor<B>; 3] {
    let Saved { q, k, v, out } = saved;
    let d = q.shape().dims::<4>()[3];
    let scale = 1.0 / (d as f64).sqrt();
    let q = B::float_mul_scalar(q, scale.into());
    let weights = B::softmax(B::float_matmul(q.clone(), B::float_transpose(k.clone())), 3);
    let dv = B::float_matmul(B::float_transpose(weights.clone()), grad.clone());
    let rows = B::float_sum_dim(B::float_mul(grad.clone(), out), 3);
    let dw = B::float_matmul(grad, B::float_transpose(v));
    let ds = B::float_mul(weights, B::float_sub(dw, rows));
    let dq = B::float_mul_scalar(B::float_matmul(ds.clone(), k), scale.into());
    let dk = B::float_matmul(B::float_transpose(ds), q);
    [dq, dk, dv]
}
