//! `moment(a, b)`: (1/N) Σᵢ aᵢ bᵢᵀ over the batch's N rows (images, and for tokens every
//! token): `[p]`, `[q]` per image and view → a `[p, q]` matrix for the batch, one per view.

use sslc_compiler::plan::ops::Moment;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Moment {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let a = four(x, &env, self.a)?;
        let b = four(x, &env, self.b)?;
        let [images, n, r, p] = a.dims();
        let q = b.dims()[3];
        let rows = images * r;
        let a = a.swap_dims(0, 1).reshape([n, rows, p]);
        let b = b.swap_dims(0, 1).reshape([n, rows, q]);
        let m = a.swap_dims(1, 2).matmul(b).div_scalar(rows as f32);
        value(&env, m.reshape([1, n, p, q]))
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
    fn moment_of_two_views_matches_its_formula() {
        // 4 images × 2 views, widths 3 and 2: one 3 × 2 moment per view.
        let (a, b) = (values(24, &mut Rng::new(49)), values(16, &mut Rng::new(50)));
        let device = crate::device::default().autodiff();
        let reference = |a: &[f64]| -> Vec<f64> {
            (0..2 * 6)
                .map(|o| {
                    let (v, i, j) = (o / 6, o % 6 / 2, o % 2);
                    (0..4)
                        .map(|img| a[(img * 2 + v) * 3 + i] * b[(img * 2 + v) * 2 + j])
                        .sum::<f64>()
                        / 4.0
                })
                .collect()
        };
        check_op("moment", &a, [8, 3], reference, |t: Tensor<2>| {
            let inputs = vec![
                ("a", Val::Vectors(t), Ty::Vector { dim: 3, n: 2 }),
                (
                    "b",
                    Val::Vectors(data(&b, [8, 2], &device)),
                    Ty::Vector { dim: 2, n: 2 },
                ),
            ];
            let out = Ty::Batch(Box::new(Ty::Matrix { rows: 3, cols: 2, n: 2 }));
            flat_val(apply_typed("moment", &[], inputs, out, 4))
        });
    }
}
