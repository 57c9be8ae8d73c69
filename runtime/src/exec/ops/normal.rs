//! `normal(rows: r, cols: c)`: an `[r, c]` matrix of standard normal draws for the batch,
//! drawn at every step from the device's generator, which the trainer seeds per step.

use burn::tensor::{Distribution, Tensor};
use sslc_compiler::plan::ops::Normal;

use super::{Env, Forward, Inputs, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Normal {
    fn forward(&self, _x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let draws = Tensor::<4>::random(
            [1, 1, self.rows, self.cols],
            Distribution::Normal(0.0, 1.0),
            env.device()?,
        );
        value(&env, draws)
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::check::{apply_typed, flat_val};

    #[test]
    fn draws_are_standard_normal_and_repeat_under_one_seed() {
        let device = crate::device::default();
        let ty = Ty::Batch(Box::new(Ty::Matrix {
            rows: 64,
            cols: 64,
            n: 1,
        }));
        let draw = || {
            crate::generator::seeded(&device, 5, || {
                let params = [("rows", Param::Num(64.0)), ("cols", Param::Num(64.0))];
                flat_val(apply_typed("normal", &params, vec![], ty.clone(), 8))
                    .try_into_vec_as::<f32>()
                    .expect("values")
            })
        };
        let (a, b) = (draw(), draw());
        assert_eq!(a, b, "the same seed, the same draws");
        let n = a.len() as f64;
        let mean = a.iter().map(|v| *v as f64).sum::<f64>() / n;
        let var = a.iter().map(|v| (*v as f64 - mean).powi(2)).sum::<f64>() / n;
        assert!(
            mean.abs() < 0.05 && (var - 1.0).abs() < 0.1,
            "mean {mean}, variance {var}"
        );
    }
}
