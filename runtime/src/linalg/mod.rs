//! Functions of small square matrices with their gradients: eigenvalues of a symmetric matrix,
//! its square root and inverse square root, the Cholesky factor, the inverse. Each is batched
//! over `[k, d, d]`.
//!
//! The decomposition runs on the detached value (`factor`: libtorch's linear algebra on the
//! `tch` backends, on the tensor's device; nalgebra in float64 on the host elsewhere); the
//! gradient comes from a surrogate S(A) built with burn's own ops from the detached factors,
//! whose first-order change equals the function's (Daleckii–Krein for spectral functions,
//! Murray's for Cholesky, −B dA B for the inverse). The result is the exact value plus
//! S(A) − S(A) detached: the value is the decomposition's, the gradient S's, computed by the
//! backend's autodiff on the device.

mod factor;
mod host;
#[cfg(feature = "tch")]
mod torch;

use burn::tensor::Tensor;

/// `exact` as the value, with the gradient of `surrogate`.
fn with_gradient_of<const D: usize>(exact: Tensor<D>, surrogate: Tensor<D>) -> Tensor<D> {
    if !surrogate.is_autodiff() {
        return exact;
    }
    exact + (surrogate.clone() - surrogate.detach())
}

/// `[k, d, d]` identity matrices like `x`.
fn eye_like(x: &Tensor<3>) -> Tensor<3> {
    let [k, d, _] = x.dims();
    Tensor::<2>::eye(d, &x.device()).unsqueeze_dim::<3>(0).expand([k, d, d])
}

/// The diagonals of `[k, d, d]` as `[k, d]`.
pub fn diagonal(x: Tensor<3>) -> Tensor<2> {
    let [k, d, _] = x.dims();
    let eye = eye_like(&x);
    (x * eye).sum_dim(2).reshape([k, d])
}

/// Uᵀ A U for the detached eigenvectors U: its first-order change is Uᵀ dA U.
fn rotated(a: Tensor<3>, u: &Tensor<3>) -> Tensor<3> {
    u.clone().swap_dims(1, 2).matmul(a).matmul(u.clone())
}

/// The eigenvalues of symmetric `a`, ascending: dλᵢ = uᵢᵀ dA uᵢ.
pub fn eigvalsh(a: Tensor<3>) -> Tensor<2> {
    let (values, u) = factor::eigh(&a);
    with_gradient_of(values, diagonal(rotated(a, &u)))
}

/// A function of a symmetric matrix, f(A) = U f(Λ) Uᵀ.
#[derive(Clone, Copy, Debug)]
pub enum Spectral {
    Sqrt,
    InvSqrt,
}

impl Spectral {
    /// f and f′ of eigenvalues.
    fn apply(self, l: Tensor<3>) -> (Tensor<3>, Tensor<3>) {
        match self {
            Spectral::Sqrt => {
                let root = l.clamp_min(0.0).sqrt();
                let slope = root.clone().clamp_min(1e-12).recip().mul_scalar(0.5);
                (root, slope)
            }
            Spectral::InvSqrt => {
                let inv = l.clamp_min(1e-30).sqrt().recip();
                let slope = inv.clone().powi_scalar(3).mul_scalar(-0.5);
                (inv, slope)
            }
        }
    }
}

/// f(A) for symmetric `a`, with the Daleckii–Krein gradient: df = U (F ∘ Uᵀ dA U) Uᵀ, F the
/// divided differences (f(λᵢ) − f(λⱼ)) / (λᵢ − λⱼ), f′ where the eigenvalues meet.
pub fn spectral(a: Tensor<3>, f: Spectral) -> Tensor<3> {
    let (values, u) = factor::eigh(&a);
    let [k, d] = values.dims();
    let (fi, slope) = f.apply(values.clone().reshape([k, d, 1]));
    let exact = u
        .clone()
        .matmul(fi.clone() * eye_like(&u))
        .matmul(u.clone().swap_dims(1, 2));
    if !a.is_autodiff() {
        return exact;
    }
    let (li, lj) = (values.clone().reshape([k, d, 1]), values.reshape([k, 1, d]));
    let (fj, _) = f.apply(lj.clone());
    let diff = li.clone().expand([k, d, d]) - lj.clone().expand([k, d, d]);
    let scale = li.abs().expand([k, d, d]) + lj.abs().expand([k, d, d]);
    let close = diff.clone().abs().lower_equal(scale.mul_scalar(1e-6).add_scalar(1e-30));
    let mean_slope = (slope.clone().expand([k, d, d]) + slope.swap_dims(1, 2).expand([k, d, d])).mul_scalar(0.5);
    let safe = diff.clone().mask_fill(close.clone(), 1.0);
    let divided = (fi.expand([k, d, d]) - fj.expand([k, d, d])) / safe;
    let weights = divided.mask_where(close, mean_slope).detach();
    let surrogate = u.clone().matmul(weights * rotated(a, &u)).matmul(u.swap_dims(1, 2));
    with_gradient_of(exact, surrogate)
}

/// The lower-triangular L with L Lᵀ = A: dL = L Φ(L⁻¹ dA L⁻ᵀ), Φ the lower triangle with the
/// diagonal halved.
pub fn cholesky(a: Tensor<3>) -> Tensor<3> {
    let (l, inv) = factor::cholesky(&a);
    if !a.is_autodiff() {
        return l;
    }
    let [k, d, _] = l.dims();
    let phi: Vec<f32> = (0..d * d)
        .map(|i| match (i / d, i % d) {
            (r, c) if r > c => 1.0,
            (r, c) if r == c => 0.5,
            _ => 0.0,
        })
        .collect();
    let phi = Tensor::<2>::from_data(burn::tensor::TensorData::new(phi, [d, d]), &a.device())
        .unsqueeze_dim::<3>(0)
        .expand([k, d, d]);
    let inner = inv.clone().matmul(a).matmul(inv.swap_dims(1, 2));
    let surrogate = l.clone().matmul(inner * phi);
    with_gradient_of(l, surrogate)
}

/// The inverse B of A: dB = −B dA B.
pub fn inverse(a: Tensor<3>) -> Tensor<3> {
    let b = factor::inverse(&a);
    if !a.is_autodiff() {
        return b;
    }
    let surrogate = b.clone().matmul(a).matmul(b.clone()).neg();
    with_gradient_of(b, surrogate)
}
