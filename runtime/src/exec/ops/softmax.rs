//! `softmax(x, temperature: τ, over: axis)`: exp(x/τ) / Σ exp(x/τ) over the axis (the features
//! by default); the value keeps its type.

use burn::tensor::activation::softmax;
use sslc_compiler::plan::ops::Softmax;

use super::{Env, Forward, Inputs, elementwise};
use crate::error::RunError;
use crate::exec::shape::dims;
use crate::val::Val;

impl Forward for Softmax {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = env.at(&self.temperature);
        let d = dims(self.over)[0];
        elementwise(x, &env, self.x, |v| softmax(v.div_scalar(t), d))
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

    /// The softmax of `x / 0.5` over each group of places that `group` gives the same key.
    fn softmax_by(x: &[f64], group: impl Fn(usize) -> usize) -> Vec<f64> {
        let z = |key: usize| -> f64 {
            (0..x.len())
                .filter(|j| group(*j) == key)
                .map(|j| (x[j] / 0.5).exp())
                .sum()
        };
        (0..x.len()).map(|i| (x[i] / 0.5).exp() / z(group(i))).collect()
    }

    fn by_row(i: usize) -> usize {
        i / 4
    }

    fn by_column(i: usize) -> usize {
        i % 4
    }

    #[test]
    fn softmax_over_the_features_and_over_the_batch_matches_its_formula() {
        let x = values(3 * 4, &mut Rng::new(8));
        let ty = Ty::Vector { dim: 4, n: 1 };
        // Over the features: each row of 4; over the batch: each column of 3 images.
        for (over, group) in [("features", by_row as fn(usize) -> usize), ("batch", by_column)] {
            check_op(
                "softmax",
                &x,
                [3, 4],
                |x| softmax_by(x, group),
                |t: Tensor<2>| {
                    let params = [("temperature", Param::Num(0.5)), ("over", Param::Str(over.into()))];
                    flat_val(apply_typed(
                        "softmax",
                        &params,
                        vec![("x", Val::Vectors(t), ty.clone())],
                        ty.clone(),
                        3,
                    ))
                },
            );
        }
    }
}
