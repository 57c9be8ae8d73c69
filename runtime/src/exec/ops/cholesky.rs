//! `cholesky(x)`: the lower-triangular L with L Lᵀ = x for symmetric positive definite `[d, d]`, with its gradient (`linalg`).

use sslc_compiler::plan::ops::Cholesky;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Cholesky {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let [b, n, d, _] = t.dims();
        let out = crate::linalg::cholesky(t.reshape([b * n, d, d]));
        let [_, r, c] = out.dims();
        value(&env, out.reshape([b, n, r, c]))
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;

    use super::super::check::{check_spd, row_major};

    #[test]
    fn cholesky_matches_its_float64_factor_and_gradient() {
        check_spd("cholesky", Ty::Matrix { rows: 3, cols: 3, n: 1 }, |a| {
            row_major(&nalgebra::Cholesky::new(a.clone()).expect("positive definite").l())
        });
    }
}
