//! `mean_entropy(x, temperature: τ)`: Σ_k p̄_k log p̄_k + log K with p̄ the mean of softmax(x/τ)
//! over all rows. `[r, K]` → `[1]`.

use burn::tensor::Tensor;
use burn::tensor::activation::softmax;
use sslc_compiler::plan::ops::MeanEntropy;

use super::{Env, Forward, Inputs, rows};
use crate::error::RunError;
use crate::val::Val;

impl Forward for MeanEntropy {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = env.at(&self.temperature);
        Ok(Val::Scalar(mean_entropy(rows(x.take(self.x)?)?, t)))
    }
}

/// KL of the mean prediction to uniform (FLSL): Σₖ p̄ₖ log p̄ₖ + log K, with p̄ the mean over rows
/// of softmax(x/t).
pub fn mean_entropy(x: Tensor<2>, t: f32) -> Tensor<1> {
    let k = x.dims()[1];
    let mean = softmax(x.div_scalar(t), 1).mean_dim(0);
    mean.clone()
        .mul(mean.clamp_min(1e-12).log())
        .sum()
        .add_scalar((k as f32).ln())
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    fn ref_mean_entropy(x: &Mat, t: f64) -> f64 {
        let k = x[0].len();
        let mut mean = vec![0.0; k];
        for row in x {
            let max = row.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = row.iter().map(|v| ((v - max) / t).exp()).collect();
            let z: f64 = e.iter().sum();
            for (m, v) in mean.iter_mut().zip(e) {
                *m += v / z / x.len() as f64;
            }
        }
        mean.iter().map(|p| p * p.ln()).sum::<f64>() + (k as f64).ln()
    }

    #[test]
    fn mean_entropy_matches_its_formula() {
        let mut rng = Rng::new(4);
        let x = random(8, 6, &mut rng);
        check(
            "mean_entropy",
            &x,
            &x,
            |x, _| ref_mean_entropy(x, 0.5),
            |x, _| super::mean_entropy(x, 0.5),
        );
    }
}
