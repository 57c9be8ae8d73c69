//! `nt_xent(x, temperature: τ)`: SimCLR's loss over the 2B views of a two-view value. With z
//! the L2-normalised rows `[images·2, d]` (an image's views consecutive), row r's logits are
//! z_r·z_j / τ for every j ≠ r and its positive is r's partner r ⊕ 1:
//! L = mean_r −log softmax_{j≠r}(z_r·z_j / τ)[r ⊕ 1] → `[1]`.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::ops::NtXent;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::l2norm;
use crate::val::Val;

impl Forward for NtXent {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let z = x.take(self.x)?.vectors()?;
        Ok(Val::Scalar(nt_xent(z, env.at(&self.temperature))))
    }
}

/// The NT-Xent loss of rows `z` paired as (2i, 2i + 1).
pub fn nt_xent(z: Tensor<2>, temperature: f32) -> Tensor<1> {
    let rows = z.dims()[0];
    let device = z.device();
    let z = l2norm(z);
    let eye = Tensor::<2>::eye(rows, &device);
    // A row is never its own negative: its self-similarity is pushed out of the softmax.
    let logits = z.clone().matmul(z.transpose()).div_scalar(temperature) - eye.mul_scalar(1e9);
    let partner: Vec<f32> = (0..rows * rows)
        .map(|i| if i % rows == (i / rows) ^ 1 { 1.0 } else { 0.0 })
        .collect();
    let partner = Tensor::<2>::from_data(TensorData::new(partner, [rows, rows]), &device);
    log_softmax(logits, 1).mul(partner).sum().div_scalar(-(rows as f32))
}

#[cfg(test)]
mod tests {
    use super::super::check::{check_op, cos, values};
    use crate::rng::Rng;

    #[test]
    fn nt_xent_matches_its_formula_with_negatives_from_both_views() {
        // 3 images × 2 views of width 4.
        let (rows, d, t) = (6, 4, 0.5);
        let x = values(rows * d, &mut Rng::new(32));
        let reference = |x: &[f64]| -> Vec<f64> {
            let row = |r: usize| &x[r * d..(r + 1) * d];
            let mut total = 0.0;
            for r in 0..rows {
                let logits: Vec<(usize, f64)> = (0..rows)
                    .filter(|j| *j != r)
                    .map(|j| (j, cos(row(r), row(j)) / t))
                    .collect();
                let max = logits.iter().map(|(_, l)| *l).fold(f64::MIN, f64::max);
                let z: f64 = logits.iter().map(|(_, l)| (l - max).exp()).sum();
                let positive = logits.iter().find(|(j, _)| *j == r ^ 1).map(|(_, l)| *l).unwrap_or(0.0);
                total -= positive - max - z.ln();
            }
            vec![total / rows as f64]
        };
        check_op("nt_xent", &x, [rows, d], reference, |z| super::nt_xent(z, t as f32));
    }
}
