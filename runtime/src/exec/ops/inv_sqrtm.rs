//! `inv_sqrtm(x)`: U Λ^(−1/2) Uᵀ of symmetric positive definite matrices `[d, d]`, with the Daleckii–Krein gradient (`linalg`).

use sslc_compiler::plan::ops::InvSqrtm;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for InvSqrtm {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let [b, n, d, _] = t.dims();
        let out = crate::linalg::spectral(t.reshape([b * n, d, d]), crate::linalg::Spectral::InvSqrt);
        let [_, r, c] = out.dims();
        value(&env, out.reshape([b, n, r, c]))
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;

    use super::super::check::{check_spd, row_major, spectral};

    #[test]
    fn inv_sqrtm_matches_its_float64_value_and_gradient() {
        check_spd("inv_sqrtm", Ty::Matrix { rows: 3, cols: 3, n: 1 }, |a| {
            row_major(&spectral(a, |l| 1.0 / l.sqrt()))
        });
    }
}
