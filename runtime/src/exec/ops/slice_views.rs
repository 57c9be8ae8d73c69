//! `slice_views(x, start, len)`: views `start..start + len` of each image. Vectors
//! `[images·n, d]` (an image's views consecutive) → `[images·len, d]`; tokens the same with a
//! token axis.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::SliceViews;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for SliceViews {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let images = env.images.max(1);
        let (start, len) = (self.start, self.len);
        Ok(match x.take(self.x)? {
            Val::Vectors(t) => Val::Vectors(sliced(t, images, start, len)),
            Val::Tokens(t) => {
                let [rows, n, d] = t.dims();
                Val::Tokens(sliced(t.reshape([rows, n * d]), images, start, len).reshape([images * len, n, d]))
            }
            v => return Err(RunError::Internal(format!("slice_views of {}", v.kind()))),
        })
    }
}

/// Of each image's rows, those from `start` to `start + len`.
pub fn sliced(t: Tensor<2>, images: usize, start: usize, len: usize) -> Tensor<2> {
    let [rows, d] = t.dims();
    t.reshape([images, rows / images, d])
        .narrow(1, start, len)
        .reshape([images * len, d])
}

#[cfg(test)]
mod tests {
    use super::super::check::data;

    #[test]
    fn the_middle_views_of_every_image_are_kept() {
        let device = crate::device::default();
        // Two images of three views, width 1.
        let x = data(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [6, 1], &device);
        let out: Vec<f32> = super::sliced(x, 2, 1, 2).try_into_vec_as().expect("values");
        assert_eq!(out, [2.0, 3.0, 5.0, 6.0]);
    }
}
