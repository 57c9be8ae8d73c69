//! `clamp(x, min: a, max: b)`: x limited to [a, b] elementwise (either end open); any tensor
//! of numbers → the same type. The gradient passes where x is inside.

use sslc_compiler::plan::ops::Clamp;

use super::{Env, Forward, Inputs, elementwise};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Clamp {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (lo, hi) = (self.min, self.max);
        elementwise(x, &env, self.x, |t| {
            let t = match lo {
                Some(lo) => t.clamp_min(lo as f32),
                None => t,
            };
            match hi {
                Some(hi) => t.clamp_max(hi as f32),
                None => t,
            }
        })
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

    /// The parameters given and the ends they set.
    type Ends<'a> = (&'a [(&'a str, Param)], Option<f64>, Option<f64>);

    #[test]
    fn clamp_matches_its_formula_with_either_end_open() {
        let x = values(3 * 4, &mut Rng::new(33));
        let ty = Ty::Vector { dim: 4, n: 1 };
        let ends: [Ends; 3] = [
            (&[("min", Param::Num(-0.3))], Some(-0.3), None),
            (&[("max", Param::Num(0.4))], None, Some(0.4)),
            (
                &[("min", Param::Num(-0.3)), ("max", Param::Num(0.4))],
                Some(-0.3),
                Some(0.4),
            ),
        ];
        for (params, lo, hi) in ends {
            check_op(
                "clamp",
                &x,
                [3, 4],
                |x| {
                    x.iter()
                        .map(|v| v.max(lo.unwrap_or(f64::MIN)).min(hi.unwrap_or(f64::MAX)))
                        .collect()
                },
                |t: Tensor<2>| {
                    flat_val(apply_typed(
                        "clamp",
                        params,
                        vec![("x", Val::Vectors(t), ty.clone())],
                        ty.clone(),
                        3,
                    ))
                },
            );
        }
    }
}
