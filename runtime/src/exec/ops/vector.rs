//! `vector([v₁, …, vₖ])`: a constant vector `[k]` for the batch.

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::ops::Vector;

use super::{Env, Forward, Inputs, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Vector {
    fn forward(&self, _x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let k = self.values.len();
        let t = Tensor::<4>::from_data(TensorData::new(self.values.clone(), [1, 1, 1, k]), env.device()?);
        value(&env, t)
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::check::{apply_typed, flat_val};

    #[test]
    fn vector_holds_its_numbers() {
        let values = Param::List(vec![Param::Num(0.5), Param::Num(-1.0), Param::Num(2.0)]);
        let ty = Ty::Batch(Box::new(Ty::Vector { dim: 3, n: 1 }));
        let got: Vec<f32> = flat_val(apply_typed("vector", &[("values", values)], vec![], ty, 2))
            .try_into_vec_as()
            .expect("values");
        assert_eq!(got, vec![0.5, -1.0, 2.0]);
    }
}
