//! The decompositions on libtorch's own linear algebra, on the tensor's device (LAPACK on its
//! CPU device, cuSOLVER on CUDA): nothing leaves the device.

#![allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.

use burn::backend::LibTorch;
use burn::backend::libtorch::TchTensor;
use burn::tensor::Tensor;

/// The libtorch tensor of a plain value, `None` where it lives on another backend.
fn tch_of<const D: usize>(t: &Tensor<D>) -> Option<tch::Tensor> {
    t.clone().try_into_primitive::<LibTorch>().ok().map(|p| p.tensor)
}

fn burn_of<const D: usize>(t: tch::Tensor) -> Tensor<D> {
    Tensor::from_primitive::<LibTorch>(TchTensor::new(t))
}

/// Symmetric in exact arithmetic; rounding may leave it a hair off.
fn symmetric(a: &tch::Tensor) -> tch::Tensor {
    (a + a.transpose(-1, -2)) * 0.5
}

pub fn eigh(a: &Tensor<3>) -> Option<(Tensor<2>, Tensor<3>)> {
    let a = tch_of(a)?;
    let (values, vectors) = symmetric(&a).linalg_eigh("L");
    Some((burn_of(values), burn_of(vectors)))
}

pub fn cholesky(a: &Tensor<3>) -> Option<(Tensor<3>, Tensor<3>)> {
    let a = symmetric(&tch_of(a)?);
    let (l, _info) = a.linalg_cholesky_ex(false, false);
    let d = *a.size().last().unwrap_or(&0);
    let eye = tch::Tensor::eye(d, (a.kind(), a.device())).expand_as(&a);
    let inv = l.linalg_solve_triangular(&eye, false, true, false);
    Some((burn_of(l), burn_of(inv)))
}

pub fn inverse(a: &Tensor<3>) -> Option<Tensor<3>> {
    let (inv, _info) = tch::Tensor::linalg_inv_ex(&tch_of(a)?, false);
    Some(burn_of(inv))
}
