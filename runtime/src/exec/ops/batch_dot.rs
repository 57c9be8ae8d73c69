//! `batch_dot(a, b)`: for each row of `a` (`[b·na, d]`), its dot product with every row of `b`
//! across the batch (`[b·nb, d]`, image-major) or every vector of a bank (`[s, d]`): A Bᵀ,
//! `[b·na, b·nb]` or `[b·na, s]`.

use sslc_compiler::plan::ops::BatchDot;

use super::{Env, Forward, Inputs, rows};
use crate::error::RunError;
use crate::val::Val;

impl Forward for BatchDot {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let a = rows(x.take(self.a)?)?;
        let b = match x.take(self.b)? {
            Val::Bank(t) => t,
            v => rows(v)?,
        };
        Ok(Val::Vectors(a.matmul(b.transpose())))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;
    use sslc_compiler::types::Ty;

    use super::super::check::{apply_typed, check_op, data, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn batch_dot_against_the_batch_and_a_bank_matches_its_formula() {
        let (a, b) = (values(9, &mut Rng::new(51)), values(15, &mut Rng::new(52)));
        let device = crate::device::default().autodiff();
        // 3 rows of width 3 against 5 rows: Σₖ aᵢₖ bⱼₖ.
        let reference = |a: &[f64]| -> Vec<f64> {
            (0..15)
                .map(|o| (0..3).map(|k| a[o / 5 * 3 + k] * b[o % 5 * 3 + k]).sum())
                .collect()
        };
        let vectors = Ty::Vector { dim: 3, n: 1 };
        check_op("batch_dot", &a, [3, 3], reference, |t: Tensor<2>| {
            let inputs = vec![
                ("a", Val::Vectors(t), vectors.clone()),
                ("b", Val::Bank(data(&b, [5, 3], &device)), Ty::Bank { size: 5, dim: 3 }),
            ];
            flat_val(apply_typed("batch_dot", &[], inputs, Ty::Vector { dim: 5, n: 1 }, 3))
        });
        let b3 = &b[..9];
        let reference = |a: &[f64]| -> Vec<f64> {
            (0..9)
                .map(|o| (0..3).map(|k| a[o / 3 * 3 + k] * b3[o % 3 * 3 + k]).sum())
                .collect()
        };
        check_op("batch_dot", &a, [3, 3], reference, |t: Tensor<2>| {
            let inputs = vec![
                ("a", Val::Vectors(t), vectors.clone()),
                ("b", Val::Vectors(data(b3, [3, 3], &device)), vectors.clone()),
            ];
            flat_val(apply_typed("batch_dot", &[], inputs, Ty::Across { n: 1, views: 1 }, 3))
        });
    }
}
