//! `count(x, over: axis)`: how many numbers the axis holds (the batch's images, the features'
//! width), as a scalar for the batch `[1]`.

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::ops::Count;

use super::{Env, Forward, Inputs, along, four};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Count {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (t, d) = along(four(x, &env, self.x)?, self.over);
        let n = t.dims()[d] as f32;
        Ok(Val::Scalar(
            Tensor::from_data(TensorData::new(vec![n], [1]), &t.device()).detach(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::check::{apply_typed, flat_val};
    use crate::val::Val;

    #[test]
    fn count_gives_the_size_of_the_axis() {
        let device = crate::device::default();
        let x = || Val::Vectors(Tensor::from_data(TensorData::new(vec![0.0f32; 30], [6, 5]), &device));
        let ty = Ty::Vector { dim: 5, n: 2 };
        let one = Ty::Batch(Box::new(Ty::Scalar { n: 1 }));
        for (over, want) in [("batch", 3.0), ("views", 2.0), ("features", 5.0), ("image", 10.0)] {
            let out = apply_typed(
                "count",
                &[("over", Param::Str(over.into()))],
                vec![("x", x(), ty.clone())],
                one.clone(),
                3,
            );
            let got: Vec<f32> = flat_val(out).try_into_vec_as().expect("values");
            assert_eq!(got, vec![want], "{over}");
        }
    }
}
