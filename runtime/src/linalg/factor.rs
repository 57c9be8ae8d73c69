//! The decompositions of a detached `[k, d, d]` value, by the backend it lives on: libtorch's
//! own linear algebra where the tensor is libtorch's, nalgebra on the host elsewhere.

use burn::tensor::Tensor;

/// The eigenvalues `[k, d]` (ascending) and eigenvectors `[k, d, d]` (columns) of symmetric `a`.
pub fn eigh(a: &Tensor<3>) -> (Tensor<2>, Tensor<3>) {
    let plain = a.clone().detach().inner();
    #[cfg(feature = "tch")]
    if let Some(done) = super::torch::eigh(&plain) {
        return (done.0.to_device_of(a), done.1.to_device_of(a));
    }
    let (values, vectors) = super::host::eigh(&plain);
    (values.to_device_of(a), vectors.to_device_of(a))
}

/// The Cholesky factor L of symmetric positive definite `a` and its inverse, both `[k, d, d]`.
pub fn cholesky(a: &Tensor<3>) -> (Tensor<3>, Tensor<3>) {
    let plain = a.clone().detach().inner();
    #[cfg(feature = "tch")]
    if let Some(done) = super::torch::cholesky(&plain) {
        return (done.0.to_device_of(a), done.1.to_device_of(a));
    }
    let (l, inv) = super::host::cholesky(&plain);
    (l.to_device_of(a), inv.to_device_of(a))
}

/// The inverse of `a`, `[k, d, d]`.
pub fn inverse(a: &Tensor<3>) -> Tensor<3> {
    let plain = a.clone().detach().inner();
    #[cfg(feature = "tch")]
    if let Some(done) = super::torch::inverse(&plain) {
        return done.to_device_of(a);
    }
    super::host::inverse(&plain).to_device_of(a)
}

/// A detached result placed where the input lives: its autodiff device, or the plain one.
trait Beside {
    fn to_device_of(self, like: &Tensor<3>) -> Self;
}

impl<const D: usize> Beside for Tensor<D> {
    fn to_device_of(self, like: &Tensor<3>) -> Self {
        crate::tensor::beside(self, like)
    }
}
