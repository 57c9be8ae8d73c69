//! `inverse(x)`: the inverse of square matrices `[d, d]`, with its gradient −x⁻ᵀ g x⁻ᵀ (`linalg`).

use sslc_compiler::plan::ops::Inverse;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Inverse {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let [b, n, d, _] = t.dims();
        let out = crate::linalg::inverse(t.reshape([b * n, d, d]));
        let [_, r, c] = out.dims();
        value(&env, out.reshape([b, n, r, c]))
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;

    use super::super::check::{check_spd, row_major};

    #[test]
    fn inverse_matches_its_float64_value_and_gradient() {
        check_spd("inverse", Ty::Matrix { rows: 3, cols: 3, n: 1 }, |a| {
            row_major(&a.clone().try_inverse().expect("invertible"))
        });
    }
}
