//! The decompositions on the host, in float64, with nalgebra: the value is read from the
//! device, decomposed matrix by matrix, and the factors written back in the device's float type.

use burn::tensor::{Tensor, TensorData};
use nalgebra::{DMatrix, SymmetricEigen};

/// The matrices of `[k, d, d]` `a`, row-major, in float64.
fn matrices(a: &Tensor<3>) -> (Vec<DMatrix<f64>>, usize) {
    let [k, d, _] = a.dims();
    let flat: Vec<f64> = a
        .clone()
        .into_data()
        .convert::<f64>()
        .try_to_vec::<f64>()
        .unwrap_or_else(|_| vec![f64::NAN; k * d * d]);
    let mats = flat.chunks(d * d).map(|m| DMatrix::from_row_slice(d, d, m)).collect();
    (mats, d)
}

/// Matrices written back as `[k, d, d]` on `a`'s device.
fn tensor3(mats: &[DMatrix<f64>], d: usize, a: &Tensor<3>) -> Tensor<3> {
    let flat: Vec<f64> = mats.iter().flat_map(|m| m.transpose().as_slice().to_vec()).collect();
    Tensor::from_data(TensorData::new(flat, [mats.len(), d, d]), &a.device())
}

pub fn eigh(a: &Tensor<3>) -> (Tensor<2>, Tensor<3>) {
    let (mats, d) = matrices(a);
    let mut values = Vec::with_capacity(mats.len() * d);
    let mut vectors = Vec::with_capacity(mats.len());
    for m in mats {
        // Symmetric in exact arithmetic; rounding may leave it a hair off.
        let sym = (&m + m.transpose()) * 0.5;
        let e = SymmetricEigen::new(sym);
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|i, j| e.eigenvalues[*i].total_cmp(&e.eigenvalues[*j]));
        values.extend(order.iter().map(|i| e.eigenvalues[*i]));
        vectors.push(DMatrix::from_fn(d, d, |r, c| e.eigenvectors[(r, order[c])]));
    }
    let k = vectors.len();
    let values = Tensor::from_data(TensorData::new(values, [k, d]), &a.device());
    (values, tensor3(&vectors, d, a))
}

pub fn cholesky(a: &Tensor<3>) -> (Tensor<3>, Tensor<3>) {
    let (mats, d) = matrices(a);
    let mut ls = Vec::with_capacity(mats.len());
    let mut invs = Vec::with_capacity(mats.len());
    for m in mats {
        let sym = (&m + m.transpose()) * 0.5;
        match nalgebra::Cholesky::new(sym) {
            Some(c) => {
                let l = c.l();
                let inv = l
                    .clone()
                    .try_inverse()
                    .unwrap_or_else(|| DMatrix::from_element(d, d, f64::NAN));
                ls.push(l);
                invs.push(inv);
            }
            // Not positive definite: NaN, which the run's check names at the loss.
            None => {
                ls.push(DMatrix::from_element(d, d, f64::NAN));
                invs.push(DMatrix::from_element(d, d, f64::NAN));
            }
        }
    }
    (tensor3(&ls, d, a), tensor3(&invs, d, a))
}

pub fn inverse(a: &Tensor<3>) -> Tensor<3> {
    let (mats, d) = matrices(a);
    let invs: Vec<DMatrix<f64>> = mats
        .into_iter()
        .map(|m| m.try_inverse().unwrap_or_else(|| DMatrix::from_element(d, d, f64::NAN)))
        .collect();
    tensor3(&invs, d, a)
}
