//! `eigvalsh(x)`: the eigenvalues of symmetric matrices `[d, d]`, ascending → vectors `[d]`;
//! dλᵢ = uᵢᵀ dA uᵢ (`linalg`).

use sslc_compiler::plan::ops::Eigvalsh;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Eigvalsh {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let [b, n, d, _] = t.dims();
        let values = crate::linalg::eigvalsh(t.reshape([b * n, d, d]));
        value(&env, values.reshape([b, n, 1, d]))
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;

    use super::super::check::check_spd;

    #[test]
    fn eigvalsh_matches_float64_eigenvalues_and_their_gradient() {
        check_spd("eigvalsh", Ty::Vector { dim: 3, n: 1 }, |a| {
            let mut v: Vec<f64> = nalgebra::SymmetricEigen::new(a.clone())
                .eigenvalues
                .iter()
                .copied()
                .collect();
            v.sort_by(f64::total_cmp);
            v
        });
    }
}
