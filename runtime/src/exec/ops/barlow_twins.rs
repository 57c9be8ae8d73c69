//! `barlow_twins(a, b, lambda: λ)`: Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij² for the cross-correlation C
//! of the batch-standardised rows. `[r, d]`, `[r, d]` → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::BarlowTwins;

use super::{Env, Forward, Inputs, paired_rows};
use crate::error::RunError;
use crate::val::Val;

impl Forward for BarlowTwins {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (a, b) = paired_rows(x.take(self.a)?, x.take(self.b)?)?;
        Ok(Val::Scalar(barlow_twins(a, b, env.at(&self.lambda))))
    }
}

/// Barlow Twins: with C = ẑ_aᵀẑ_b / N the cross-correlation of the standardised embeddings,
/// Σᵢ (1 − Cᵢᵢ)² + λ·Σ_{i≠j} Cᵢⱼ².
pub fn barlow_twins(a: Tensor<2>, b: Tensor<2>, lambda: f32) -> Tensor<1> {
    let [n, d] = a.dims();
    let c = standardise(a).transpose().matmul(standardise(b)).div_scalar(n as f32);
    let eye = Tensor::<2>::eye(d, &c.device());
    let on = c.clone().mul(eye.clone()).sum_dim(1).flatten::<1>(0, 1);
    let off = c.mul(eye.neg().add_scalar(1.0)).powf_scalar(2.0).sum();
    on.neg()
        .add_scalar(1.0)
        .powf_scalar(2.0)
        .sum()
        .add(off.mul_scalar(lambda))
}

/// Each column scaled to zero mean and unit variance over the rows (biased, as BatchNorm).
fn standardise(x: Tensor<2>) -> Tensor<2> {
    let centred = x.clone().sub(x.mean_dim(0));
    let var = centred.clone().powf_scalar(2.0).mean_dim(0);
    centred.div(var.add_scalar(1e-5).sqrt())
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    /// Columns standardised over rows in float64 (biased variance, ε as the runtime's).
    fn standardised(x: &Mat) -> Mat {
        let (n, d) = (x.len() as f64, x[0].len());
        let mut out = x.clone();
        for j in 0..d {
            let mean = x.iter().map(|r| r[j]).sum::<f64>() / n;
            let var = x.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
            for (o, r) in out.iter_mut().zip(x) {
                o[j] = (r[j] - mean) / (var + 1e-5).sqrt();
            }
        }
        out
    }

    #[test]
    fn barlow_twins_matches_its_formula() {
        let mut rng = Rng::new(12);
        let (a, b) = (random(8, 3, &mut rng), random(8, 3, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let (za, zb) = (standardised(a), standardised(b));
            let (n, d) = (a.len() as f64, a[0].len());
            let mut loss = 0.0;
            for i in 0..d {
                for j in 0..d {
                    let c = za.iter().zip(&zb).map(|(x, y)| x[i] * y[j]).sum::<f64>() / n;
                    loss += if i == j { (1.0 - c).powi(2) } else { 0.005 * c * c };
                }
            }
            loss
        };
        check("barlow_twins", &a, &b, reference, |a, b| {
            super::barlow_twins(a, b, 0.005)
        });
    }
}
