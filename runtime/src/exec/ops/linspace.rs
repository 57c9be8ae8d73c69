//! `linspace(start, end, count)`: `count` evenly spaced numbers from `start` to `end`, both
//! included, a constant vector `[count]` for the batch.

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::ops::Linspace;

use super::{Env, Forward, Inputs, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Linspace {
    fn forward(&self, _x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let steps = (self.count.max(2) - 1) as f64;
        let points: Vec<f64> = (0..self.count)
            .map(|i| self.start + (self.end - self.start) * i as f64 / steps)
            .collect();
        let t = Tensor::<4>::from_data(TensorData::new(points, [1, 1, 1, self.count]), env.device()?);
        value(&env, t)
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::check::{apply_typed, flat_val};

    #[test]
    fn linspace_includes_both_ends() {
        let params = [
            ("start", Param::Num(0.0)),
            ("end", Param::Num(3.0)),
            ("count", Param::Num(4.0)),
        ];
        let ty = Ty::Batch(Box::new(Ty::Vector { dim: 4, n: 1 }));
        let got: Vec<f32> = flat_val(apply_typed("linspace", &params, vec![], ty, 2))
            .try_into_vec_as()
            .expect("values");
        assert_eq!(got, vec![0.0, 1.0, 2.0, 3.0]);
    }
}
