//! `transpose(x)`: a matrix `[r, c]` → `[c, r]`, per image or for the batch.

use sslc_compiler::plan::ops::Transpose;

use super::{Env, Forward, Inputs, elementwise};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Transpose {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        elementwise(x, &env, self.x, |t| t.swap_dims(2, 3))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;
    use sslc_compiler::types::Ty;

    use super::super::check::{apply_typed, check_op, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn transpose_exchanges_rows_and_columns() {
        let x = values(12, &mut Rng::new(46));
        let (ty, out) = (
            Ty::Matrix { rows: 2, cols: 3, n: 1 },
            Ty::Matrix { rows: 3, cols: 2, n: 1 },
        );
        let reference = |x: &[f64]| -> Vec<f64> { (0..12).map(|i| x[i / 6 * 6 + (i % 2) * 3 + (i % 6) / 2]).collect() };
        check_op("transpose", &x, [2, 2, 3], reference, |t: Tensor<3>| {
            flat_val(apply_typed(
                "transpose",
                &[],
                vec![("x", Val::Matrix(t), ty.clone())],
                out.clone(),
                2,
            ))
        });
    }
}
