//! `matmul(a, b)`: the matrix product over the last two axes: a vector (a row) or tokens
//! `[len, d]` times a matrix `[d, m]`, a matrix times a matrix, a matrix times a vector (a
//! column). A matrix for the batch applies to every image's rows as one product.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Matmul;
use sslc_compiler::types::Ty;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::exec::shape::meet_leading;
use crate::val::Val;

impl Forward for Matmul {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let column = matches!(env.types.of(self.b)?.scope().1, Ty::Vector { .. });
        let a = four(x, &env, self.a)?;
        let b = four(x, &env, self.b)?;
        let b = if column { b.swap_dims(2, 3) } else { b };
        value(&env, product(a, b)?)
    }
}

/// `a b` over the last two axes of `[images, views, rows, cols]`, the leading two spread; a
/// right side of one image and one view multiplies every row of the left in one product.
pub fn product(a: Tensor<4>, b: Tensor<4>) -> Result<Tensor<4>, RunError> {
    let [ba, na, r, k] = a.dims();
    let [bb, nb, _, c] = b.dims();
    if bb == 1 && nb == 1 {
        return Ok(a.reshape([1, 1, ba * na * r, k]).matmul(b).reshape([ba, na, r, c]));
    }
    let (a, b) = meet_leading(a, b)?;
    Ok(a.matmul(b))
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;
    use sslc_compiler::types::Ty;

    use super::super::check::{apply_typed, check_op, data, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    /// Row-major `[r, k]` times `[k, c]`.
    fn mm(a: &[f64], b: &[f64], r: usize, k: usize, c: usize) -> Vec<f64> {
        (0..r * c)
            .map(|i| (0..k).map(|j| a[i / c * k + j] * b[j * c + i % c]).sum())
            .collect()
    }

    #[test]
    fn vectors_times_a_matrix_for_the_batch_match_their_formula() {
        // 3 images × 2 views of width 4, one 4 × 5 matrix for the batch.
        let (x, m) = (values(24, &mut Rng::new(41)), values(20, &mut Rng::new(42)));
        let device = crate::device::default().autodiff();
        let mt = data(&m, [1, 4, 5], &device);
        let batch = Ty::Batch(Box::new(Ty::Matrix { rows: 4, cols: 5, n: 1 }));
        check_op(
            "matmul",
            &x,
            [6, 4],
            |x| mm(x, &m, 6, 4, 5),
            |t: Tensor<2>| {
                let inputs = vec![
                    ("a", Val::Vectors(t), Ty::Vector { dim: 4, n: 2 }),
                    ("b", Val::Matrix(mt.clone()), batch.clone()),
                ];
                flat_val(apply_typed("matmul", &[], inputs, Ty::Vector { dim: 5, n: 2 }, 3))
            },
        );
    }

    #[test]
    fn a_matrix_per_image_times_a_matrix_and_a_vector_match_their_formula() {
        // 2 images of a 3 × 4 matrix, times each image's 4 × 2 matrix, and each image's vector.
        let (x, m, v) = (
            values(24, &mut Rng::new(43)),
            values(16, &mut Rng::new(44)),
            values(8, &mut Rng::new(45)),
        );
        let device = crate::device::default().autodiff();
        let per = |x: &[f64], other: &[f64], c: usize| -> Vec<f64> {
            (0..2)
                .flat_map(|i| mm(&x[i * 12..][..12], &other[i * 4 * c..][..4 * c], 3, 4, c))
                .collect()
        };
        let mat = Ty::Matrix { rows: 3, cols: 4, n: 1 };
        check_op(
            "matmul",
            &x,
            [2, 3, 4],
            |x| per(x, &m, 2),
            |t: Tensor<3>| {
                let inputs = vec![
                    ("a", Val::Matrix(t), mat.clone()),
                    (
                        "b",
                        Val::Matrix(data(&m, [2, 4, 2], &device)),
                        Ty::Matrix { rows: 4, cols: 2, n: 1 },
                    ),
                ];
                flat_val(apply_typed(
                    "matmul",
                    &[],
                    inputs,
                    Ty::Matrix { rows: 3, cols: 2, n: 1 },
                    2,
                ))
            },
        );
        check_op(
            "matmul",
            &x,
            [2, 3, 4],
            |x| per(x, &v, 1),
            |t: Tensor<3>| {
                let inputs = vec![
                    ("a", Val::Matrix(t), mat.clone()),
                    (
                        "b",
                        Val::Vectors(data(&v, [2, 4], &device)),
                        Ty::Vector { dim: 4, n: 1 },
                    ),
                ];
                flat_val(apply_typed("matmul", &[], inputs, Ty::Vector { dim: 3, n: 1 }, 2))
            },
        );
    }
}
