//! `outer(a, b)`: a bᵀ of two vectors, `[p]`, `[q]` → a matrix `[p, q]` per image and view.

use sslc_compiler::plan::ops::Outer;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::exec::shape::meet;
use crate::val::Val;

impl Forward for Outer {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let a = four(x, &env, self.a)?.swap_dims(2, 3);
        let b = four(x, &env, self.b)?;
        let (a, b) = meet(a, b)?;
        value(&env, a * b)
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;
    use sslc_compiler::types::Ty;

    use super::super::check::{apply_typed, check_op, data, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn outer_with_a_constant_vector_matches_its_formula() {
        // 3 images of width 2 against one vector of 4 for the batch (LeJEPA's t·x).
        let (x, t4) = (values(6, &mut Rng::new(47)), values(4, &mut Rng::new(48)));
        let device = crate::device::default();
        let reference = |x: &[f64]| -> Vec<f64> { (0..24).map(|i| x[i / 4] * t4[i % 4]).collect() };
        check_op("outer", &x, [3, 2], reference, |t: Tensor<2>| {
            let inputs = vec![
                ("a", Val::Vectors(t), Ty::Vector { dim: 2, n: 1 }),
                (
                    "b",
                    Val::Vectors(data(&t4, [1, 4], &device)),
                    Ty::Batch(Box::new(Ty::Vector { dim: 4, n: 1 })),
                ),
            ];
            flat_val(apply_typed(
                "outer",
                &[],
                inputs,
                Ty::Matrix { rows: 2, cols: 4, n: 1 },
                3,
            ))
        });
    }
}
