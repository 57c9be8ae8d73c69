//! Small tensor helpers shared by networks, ops, jobs and probes.

use burn::tensor::Tensor;

/// Unit-length rows (the last axis), with the usual ε guard.
pub fn l2norm<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let norm = t.clone().powf_scalar(2.0).sum_dim(D - 1).sqrt().clamp_min(1e-12);
    t / norm
}

/// Cosine similarity of matching rows: `[r, d]`, `[r, d]` → `[r]`.
pub fn row_cosine(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    l2norm(a).mul(l2norm(b)).sum_dim(1).flatten(0, 1)
}
