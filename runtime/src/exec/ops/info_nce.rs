//! `info_nce(a, b, temperature: τ)`: cross-entropy of each row of a against all rows of b on cosine
//! logits / τ, positives on the diagonal. `[r, d]`, `[r, d]` → `[1]`.

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;
use sslc_compiler::plan::ops::InfoNce;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::l2norm;
use crate::val::Val;

impl Forward for InfoNce {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let a = x.take(self.a)?.vectors()?;
        let b = x.take(self.b)?.vectors()?;
        Ok(Val::Scalar(info_nce(a, b, env.at(&self.temperature))))
    }
}

/// InfoNCE: row i of `a` against every row of `b`, cosine logits / t, positive on the diagonal
/// (SimCLR, MoCo v3): mean over i of −log softmax_j(cos(aᵢ, bⱼ)/t)[i].
pub fn info_nce(a: Tensor<2>, b: Tensor<2>, t: f32) -> Tensor<1> {
    let n = a.dims()[0];
    let logits = l2norm(a).matmul(l2norm(b).transpose()).div_scalar(t);
    let logp = log_softmax(logits, 1);
    let eye = Tensor::<2>::eye(n, &logp.device());
    logp.mul(eye).sum().div_scalar(-(n as f32))
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, cos, random};
    use crate::rng::Rng;

    fn ref_info_nce(a: &Mat, b: &Mat, t: f64) -> f64 {
        let n = a.len();
        let mut total = 0.0;
        for i in 0..n {
            let logits: Vec<f64> = (0..n).map(|j| cos(&a[i], &b[j]) / t).collect();
            let max = logits.iter().cloned().fold(f64::MIN, f64::max);
            let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
            total += lse - logits[i];
        }
        total / n as f64
    }

    #[test]
    fn info_nce_matches_its_formula() {
        let mut rng = Rng::new(3);
        let (a, b) = (random(7, 4, &mut rng), random(7, 4, &mut rng));
        check(
            "info_nce",
            &a,
            &b,
            |a, b| ref_info_nce(a, b, 0.2),
            |a, b| super::info_nce(a, b, 0.2),
        );
    }
}
