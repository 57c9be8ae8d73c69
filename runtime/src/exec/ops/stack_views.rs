//! `stack_views(a, b)`: each image's views of `a`, then its views of `b`, as one value. Vectors
//! `[images·na, d]` and `[images·nb, d]` (an image's views consecutive) → `[images·(na+nb), d]`;
//! tokens the same with a token axis.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::StackViews;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for StackViews {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let images = env.images.max(1);
        Ok(match (x.take(self.a)?, x.take(self.b)?) {
            (Val::Vectors(a), Val::Vectors(b)) => Val::Vectors(stacked(a, b, images)),
            (Val::Images(a), Val::Images(b)) => {
                let [ra, c, h, w] = a.dims();
                let rb = b.dims()[0];
                let out = stacked(a.reshape([ra, c * h * w]), b.reshape([rb, c * h * w]), images);
                Val::Images(out.reshape([ra + rb, c, h, w]))
            }
            (Val::Tokens(a), Val::Tokens(b)) => {
                let [ra, n, d] = a.dims();
                let rb = b.dims()[0];
                let out = stacked(a.reshape([ra, n * d]), b.reshape([rb, n * d]), images);
                Val::Tokens(out.reshape([ra + rb, n, d]))
            }
            (a, b) => {
                return Err(RunError::Internal(format!(
                    "stack_views of {} and {}",
                    a.kind(),
                    b.kind()
                )));
            }
        })
    }
}

/// Rows of `a` and `b` regrouped per image: image i's rows of `a`, then its rows of `b`.
pub fn stacked(a: Tensor<2>, b: Tensor<2>, images: usize) -> Tensor<2> {
    let ([ra, d], rb) = (a.dims(), b.dims()[0]);
    let a = a.reshape([images, ra / images, d]);
    let b = b.reshape([images, rb / images, d]);
    Tensor::cat(vec![a, b], 1).reshape([ra + rb, d])
}

#[cfg(test)]
mod tests {
    use super::super::check::data;

    #[test]
    fn each_images_views_of_b_follow_its_views_of_a() {
        let device = crate::device::default();
        // Two images: a has two views each (rows a0 a0' a1 a1'), b one (b0 b1); width 1.
        let a = data(&[1.0, 2.0, 3.0, 4.0], [4, 1], &device);
        let b = data(&[10.0, 30.0], [2, 1], &device);
        let out: Vec<f32> = super::stacked(a, b, 2).try_into_vec_as().expect("values");
        assert_eq!(out, [1.0, 2.0, 10.0, 3.0, 4.0, 30.0]);
    }
}
