//! `swap_views(x)`: the two views of each image swapped. Vectors `[images·2, d]` or tokens
//! `[images·2, n, d]`, an image's views consecutive → the same shape, row 2i ↔ row 2i + 1.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::SwapViews;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for SwapViews {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        Ok(match x.take(self.x)? {
            Val::Vectors(t) => Val::Vectors(swapped(t)),
            Val::Tokens(t) => {
                let [rows, n, d] = t.dims();
                Val::Tokens(swapped(t.reshape([rows, n * d])).reshape([rows, n, d]))
            }
            v => return Err(RunError::Internal(format!("swap_views of {}", v.kind()))),
        })
    }
}

/// Rows in pairs `[2i, 2i + 1]`, each pair's two rows exchanged.
fn swapped(t: Tensor<2>) -> Tensor<2> {
    let [rows, d] = t.dims();
    t.reshape([rows / 2, 2, d]).flip([1]).reshape([rows, d])
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn swap_views_exchanges_the_two_views_of_every_image() {
        // 3 images × 2 views of width 2.
        let x = values(12, &mut Rng::new(31));
        let reference =
            |x: &[f64]| -> Vec<f64> { (0..6).flat_map(|r| x[(r ^ 1) * 2..(r ^ 1) * 2 + 2].to_vec()).collect() };
        check_op("swap_views", &x, [6, 2], reference, |t| {
            flat_val(apply("swap_views", &[], vec![("x", Val::Vectors(t))], 3))
        });
    }
}
