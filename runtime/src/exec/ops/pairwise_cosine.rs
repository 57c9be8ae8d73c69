//! `pairwise_cosine(a, b)`: cos(aᵢ, bⱼ) between the views of each image. Vectors `[images·v, d]`,
//! `[images·w, d]` → matrix `[images, v, w]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::PairwiseCosine;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::l2norm;
use crate::val::Val;

impl Forward for PairwiseCosine {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let images = env.images;
        let per_image = |t: Tensor<2>| {
            let [rows, d] = t.dims();
            l2norm(t.reshape([images, rows / images.max(1), d]))
        };
        let (a, b) = (
            per_image(x.take(self.a)?.vectors()?),
            per_image(x.take(self.b)?.vectors()?),
        );
        Ok(Val::Matrix(a.matmul(b.swap_dims(1, 2))))
    }
}
