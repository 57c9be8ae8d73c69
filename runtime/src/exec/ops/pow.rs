//! `pow(x, exponent: p)`: xᵖ, elementwise; any tensor of numbers → the same type.

use sslc_compiler::plan::ops::Pow;

use super::{Env, Forward, Inputs, elementwise};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Pow {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let p = self.exponent;
        // A whole exponent by repeated products: exact, and defined for negative numbers.
        if p.fract() == 0.0 && p.abs() <= 64.0 {
            return elementwise(x, &env, self.x, |t| t.powi_scalar(p as i32));
        }
        elementwise(x, &env, self.x, |t| t.powf_scalar(p as f32))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::check::{apply_typed, check_op, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn pow_matches_its_formula_for_whole_and_fractional_exponents() {
        let x = values(3 * 4, &mut Rng::new(32));
        let ty = Ty::Vector { dim: 4, n: 1 };
        for p in [2.0f64, 3.0, 1.5] {
            // A fractional power of a negative number is NaN: those run on positive numbers.
            let positive = p.fract() != 0.0;
            check_op(
                "pow",
                &x,
                [3, 4],
                |x| {
                    x.iter()
                        .map(|v| if positive { (v.abs() + 0.5).powf(p) } else { v.powf(p) })
                        .collect()
                },
                |t: Tensor<2>| {
                    let t = if positive { t.abs().add_scalar(0.5) } else { t };
                    let out = apply_typed(
                        "pow",
                        &[("exponent", Param::Num(p))],
                        vec![("x", Val::Vectors(t), ty.clone())],
                        ty.clone(),
                        3,
                    );
                    flat_val(out)
                },
            );
        }
    }
}
