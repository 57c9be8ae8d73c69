//! `asl(logits, labels, gamma_pos: γ+, gamma_neg: γ−, clip: m)`: the asymmetric loss, −y(1−p)^γ+
//! log p − (1−y) p_m^γ− log(1 − p_m) with p_m = max(p − m, 0). `[b, k]`, `[b, k]` → `[1]`.

use burn::tensor::Tensor;
use burn::tensor::activation::sigmoid;
use sslc_compiler::plan::ops::Asl;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Asl {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let logits = x.take(self.logits)?.vectors()?;
        let labels = x.take(self.labels)?.vectors()?;
        let (gp, gn, clip) = (self.gamma_pos as f32, self.gamma_neg as f32, self.clip as f32);
        Ok(Val::Scalar(asl(logits, labels, gp, gn, clip)))
    }
}

/// Asymmetric loss (Ridnik et al., ASL) of logits against 0/1 labels, summed over classes and
/// averaged over rows: −[y·(1 − p)^γ₊·log p + (1 − y)·p_m^γ₋·log(1 − p_m)] with p = σ(x) and the
/// shifted negative probability p_m = max(p − clip, 0).
pub fn asl(logits: Tensor<2>, labels: Tensor<2>, gamma_pos: f32, gamma_neg: f32, clip: f32) -> Tensor<1> {
    let rows = logits.dims()[0] as f32;
    let p = sigmoid(logits);
    let p_neg = p.clone().sub_scalar(clip).clamp_min(0.0);
    let pos = p
        .clone()
        .neg()
        .add_scalar(1.0)
        .powf_scalar(gamma_pos)
        .mul(p.clamp_min(1e-8).log());
    let neg = p_neg
        .clone()
        .powf_scalar(gamma_neg)
        .mul(p_neg.neg().add_scalar(1.0).clamp_min(1e-8).log());
    let negatives = labels.clone().neg().add_scalar(1.0);
    labels.mul(pos).add(negatives.mul(neg)).sum().div_scalar(-rows)
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    #[test]
    fn asl_matches_its_formula() {
        let mut rng = Rng::new(11);
        let logits = random(5, 4, &mut rng);
        let labels: Mat = (0..5)
            .map(|i| (0..4).map(|j| ((i * 3 + j) % 3 == 0) as u8 as f64).collect())
            .collect();
        let (gp, gn, clip) = (1.0, 4.0, 0.05);
        let reference = |x: &Mat, y: &Mat| {
            let mut sum = 0.0;
            for (xr, yr) in x.iter().zip(y) {
                for (x, y) in xr.iter().zip(yr) {
                    let p = 1.0 / (1.0 + (-x).exp());
                    let pm = (p - clip).max(0.0);
                    sum -= y * (1.0 - p).powf(gp) * p.ln() + (1.0 - y) * pm.powf(gn) * (1.0 - pm).ln();
                }
            }
            sum / x.len() as f64
        };
        check("asl", &logits, &labels, reference, |x, y| {
            super::asl(x, y, gp as f32, gn as f32, clip as f32)
        });
    }
}
