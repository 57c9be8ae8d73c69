//! `eye(size)`: the `[size, size]` identity matrix, a constant for the batch.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Eye;

use super::{Env, Forward, Inputs, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Eye {
    fn forward(&self, _x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let s = self.size;
        value(&env, Tensor::<2>::eye(s, env.device()?).reshape([1, 1, s, s]))
    }
}

#[cfg(test)]
mod tests {
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::check::{apply_typed, flat_val};

    #[test]
    fn eye_is_the_identity() {
        let ty = Ty::Batch(Box::new(Ty::Matrix { rows: 2, cols: 2, n: 1 }));
        let got: Vec<f32> = flat_val(apply_typed("eye", &[("size", Param::Num(2.0))], vec![], ty, 3))
            .try_into_vec_as()
            .expect("values");
        assert_eq!(got, vec![1.0, 0.0, 0.0, 1.0]);
    }
}
