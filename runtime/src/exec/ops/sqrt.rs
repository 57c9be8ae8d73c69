//! `sqrt(x)`: √x, elementwise; any tensor of numbers → the same type.

use sslc_compiler::plan::ops::Sqrt;

use super::{Env, Forward, Inputs, elementwise};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Sqrt {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        elementwise(x, &env, self.x, |t| t.sqrt())
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
    fn sqrt_matches_its_formula() {
        let x = values(3 * 4, &mut Rng::new(31));
        let ty = Ty::Vector { dim: 4, n: 1 };
        check_op(
            "sqrt",
            &x,
            [3, 4],
            |x| {
                x.iter()
                    .map(|v| {
                        let v = v.abs() + 0.5;
                        v.sqrt()
                    })
                    .collect()
            },
            |t: Tensor<2>| {
                let v = Val::Vectors(t.abs().add_scalar(0.5));
                flat_val(apply_typed("sqrt", &[], vec![("x", v, ty.clone())], ty.clone(), 3))
            },
        );
    }
}
