//! Small tensor helpers shared by networks, ops, jobs and probes.

use burn::tensor::Tensor;

/// Unit-length rows (the last axis), with the usual ε guard.
pub fn l2norm<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let norm = t.clone().powf_scalar(2.0).sum_dim(D - 1).sqrt().clamp_min(1e-12);
    t / norm
}
