//! `cross_entropy(logits, target, temperature: τ)`: mean over rows of
//! −Σₖ targetₖ · log softmax(logits/τ)ₖ, the target detached by its parameter's mark (SwAV's
//! swapped prediction against codes; on tokens, every token's own: DINOv2's patch loss, CAPI).
//! `[r, k]`, `[r, k]` → `[1]`, tokens as rows; a one-view side repeats over the other's views.

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;
use sslc_compiler::plan::ops::CrossEntropy;

use super::{Env, Forward, Inputs, paired_rows};
use crate::error::RunError;
use crate::val::Val;

impl Forward for CrossEntropy {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (logits, target) = paired_rows(x.take(self.logits)?, x.take(self.target)?)?;
        Ok(Val::Scalar(cross_entropy(logits, target, env.at(&self.temperature))))
    }
}

/// The cross-entropy of each row's prediction against its given target distribution.
pub fn cross_entropy(logits: Tensor<2>, target: Tensor<2>, temperature: f32) -> Tensor<1> {
    let logp = log_softmax(logits.div_scalar(temperature), 1);
    target.mul(logp).sum_dim(1).neg().mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    #[test]
    fn cross_entropy_matches_its_formula() {
        let mut rng = Rng::new(23);
        let logits = random(5, 4, &mut rng);
        // Targets: rows of positive weights summing to 1.
        let target: Mat = random(5, 4, &mut rng)
            .into_iter()
            .map(|r| {
                let e: Vec<f64> = r.iter().map(|v| v.exp()).collect();
                let z: f64 = e.iter().sum();
                e.into_iter().map(|v| v / z).collect()
            })
            .collect();
        let reference = |a: &Mat, t: &Mat| {
            let mut sum = 0.0;
            for (ar, tr) in a.iter().zip(t) {
                let max = ar.iter().cloned().fold(f64::MIN, f64::max);
                let z: f64 = ar.iter().map(|v| ((v - max) / 0.1).exp()).sum();
                for (v, q) in ar.iter().zip(tr) {
                    sum -= q * ((v - max) / 0.1 - z.ln());
                }
            }
            sum / a.len() as f64
        };
        check("cross_entropy", &logits, &target, reference, |a, t| {
            super::cross_entropy(a, t, 0.1)
        });
    }
}
