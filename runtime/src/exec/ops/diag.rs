//! `diag(x)`: the diagonal of square matrices `[d, d]` → vectors `[d]`.

use sslc_compiler::plan::ops::Diag;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Diag {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let [b, n, d, _] = t.dims();
        let diagonal = crate::linalg::diagonal(t.reshape([b * n, d, d]));
        value(&env, diagonal.reshape([b, n, 1, d]))
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
    fn diag_takes_the_diagonal() {
        let x = values(18, &mut Rng::new(54));
        let reference = |x: &[f64]| -> Vec<f64> { (0..6).map(|i| x[i / 3 * 9 + i % 3 * 4]).collect() };
        check_op("diag", &x, [2, 3, 3], reference, |t: Tensor<3>| {
            let ty = Ty::Matrix { rows: 3, cols: 3, n: 1 };
            flat_val(apply_typed(
                "diag",
                &[],
                vec![("x", Val::Matrix(t), ty)],
                Ty::Vector { dim: 3, n: 1 },
                2,
            ))
        });
    }
}
