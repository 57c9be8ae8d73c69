//! `unigrad(a, b, lambda: λ)`: (1/D)[mean‖a − b‖² + λ·mean aᵀFa] with F = mean(b bᵀ), over all
//! rows. `[r, D]`, `[r, D]` → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Unigrad;

use super::{Env, Forward, Inputs, paired_rows};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Unigrad {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (a, b) = paired_rows(x.take(self.a)?, x.take(self.b)?)?;
        Ok(Val::Scalar(unigrad(a, b, env.at(&self.lambda))))
    }
}

/// UniGrad over all rows (SiameseIM): (1/D)·[mean ‖a − b‖² + λ·mean aᵀFa] with F = mean(b bᵀ);
/// `b` is the (detached) target.
pub fn unigrad(a: Tensor<2>, b: Tensor<2>, lambda: f32) -> Tensor<1> {
    let [rows, d] = a.dims();
    let f = b.clone().transpose().matmul(b.clone()).div_scalar(rows as f32);
    let align = a.clone().sub(b).powf_scalar(2.0).sum_dim(1).mean();
    let spread = a.clone().matmul(f).mul(a).sum_dim(1).mean();
    align.add(spread.mul_scalar(lambda)).div_scalar(d as f32)
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    #[test]
    fn unigrad_matches_its_formula() {
        let mut rng = Rng::new(9);
        let (a, b) = (random(6, 4, &mut rng), random(6, 4, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let (n, d) = (a.len() as f64, a[0].len());
            let mut f = vec![vec![0.0; d]; d];
            for row in b {
                for i in 0..d {
                    for j in 0..d {
                        f[i][j] += row[i] * row[j] / n;
                    }
                }
            }
            let mut align = 0.0;
            let mut spread = 0.0;
            for (ar, br) in a.iter().zip(b) {
                align += ar.iter().zip(br).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / n;
                for i in 0..d {
                    for j in 0..d {
                        spread += ar[i] * f[i][j] * ar[j] / n;
                    }
                }
            }
            (align + 0.02 * spread) / d as f64
        };
        check("unigrad", &a, &b, reference, |a, b| super::unigrad(a, b, 0.02));
    }
}
