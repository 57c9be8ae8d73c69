//! `queue_nce(a, b, negatives, temperature: τ)`: MoCo's InfoNCE. Row i of a against its own
//! row of b (the positive) and every row of the memory `negatives`, cosine logits / τ:
//! mean over i of −log softmax([cos(aᵢ, bᵢ), cos(aᵢ, n₁), …, cos(aᵢ, n_N)] / τ)[0] → `[1]`.

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;
use sslc_compiler::plan::ops::QueueNce;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::{beside, l2norm};
use crate::val::Val;

impl Forward for QueueNce {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let a = x.take(self.a)?.vectors()?;
        let b = x.take(self.b)?.vectors()?;
        let negatives = x.take(self.negatives)?.bank()?;
        Ok(Val::Scalar(queue_nce(a, b, negatives, env.at(&self.temperature))))
    }
}

/// The loss of rows `a` against positives `b` and the memory `negatives`.
pub fn queue_nce(a: Tensor<2>, b: Tensor<2>, negatives: Tensor<2>, t: f32) -> Tensor<1> {
    let rows = a.dims()[0];
    let (a, b) = (l2norm(a), l2norm(b));
    let negatives = beside(negatives, &a);
    let positive = a.clone().mul(b).sum_dim(1);
    let against = a.matmul(l2norm(negatives).transpose());
    let logits = Tensor::cat(vec![positive, against], 1).div_scalar(t);
    log_softmax(logits, 1).narrow(1, 0, 1).sum().div_scalar(-(rows as f32))
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, cos, random, tensor};
    use crate::rng::Rng;

    fn reference(a: &Mat, b: &Mat, negatives: &Mat, t: f64) -> f64 {
        let mut total = 0.0;
        for (ai, bi) in a.iter().zip(b) {
            let mut logits = vec![cos(ai, bi) / t];
            logits.extend(negatives.iter().map(|n| cos(ai, n) / t));
            let max = logits.iter().cloned().fold(f64::MIN, f64::max);
            let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
            total += lse - logits[0];
        }
        total / a.len() as f64
    }

    #[test]
    fn queue_nce_matches_its_formula() {
        let mut rng = Rng::new(8);
        let (a, b, negatives) = (random(5, 4, &mut rng), random(5, 4, &mut rng), random(9, 4, &mut rng));
        let device = crate::device::default().autodiff();
        let bank = tensor(&negatives, &device);
        check(
            "queue_nce",
            &a,
            &b,
            |a, b| reference(a, b, &negatives, 0.2),
            |a, b| super::queue_nce(a, b, bank.clone(), 0.2),
        );
    }
}
