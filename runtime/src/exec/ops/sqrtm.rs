//! `sqrtm(x)`: U √Λ Uᵀ of symmetric positive semi-definite matrices `[d, d]`, with the Daleckii–Krein gradient (`linalg`).

use sslc_compiler::plan::ops::Sqrtm;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Sqrtm {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let [b, n, d, _] = t.dims();
        let out = crate::linalg::spectral(t.reshape([b * n, d, d]), crate::linalg::Spectral::Sqrt);
        let [_, r, c] = out.dims();
        value(&env, out.reshape([b, n, r, c]))
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;

    use super::super::check::{check_spd, row_major, spectral};

    #[test]
    fn sqrtm_matches_its_float64_root_and_gradient() {
        check_spd("sqrtm", Ty::Matrix { rows: 3, cols: 3, n: 1 }, |a| {
            row_major(&spectral(a, f64::sqrt))
        });
    }
}
