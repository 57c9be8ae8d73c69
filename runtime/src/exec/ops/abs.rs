//! `abs(x)`: |x|, elementwise; any tensor of numbers → the same type.

use sslc_compiler::plan::ops::Abs;

use super::{Env, Forward, Inputs, elementwise};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Abs {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        elementwise(x, &env, self.x, |t| t.abs())
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
    fn abs_matches_its_formula() {
        let x = values(3 * 4, &mut Rng::new(31));
        let ty = Ty::Vector { dim: 4, n: 1 };
        check_op(
            "abs",
            &x,
            [3, 4],
            |x| x.iter().map(|v| v.abs()).collect(),
            |t: Tensor<2>| {
                let v = Val::Vectors(t);
                flat_val(apply_typed("abs", &[], vec![("x", v, ty.clone())], ty.clone(), 3))
            },
        );
    }
}
