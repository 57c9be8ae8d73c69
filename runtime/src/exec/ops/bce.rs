//! `bce(logits, labels)`: sigmoid binary cross-entropy, mean over all entries. `[b, k]`, multi-hot
//! `[b, k]` → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Bce;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Bce {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let logits = x.take(self.logits)?.vectors()?;
        let labels = x.take(self.labels)?.vectors()?;
        Ok(Val::Scalar(bce(logits, labels)))
    }
}

/// Sigmoid binary cross-entropy of logits against 0/1 labels, averaged over every entry, in
/// the stable form max(x, 0) − x·y + log(1 + e^{−|x|}).
pub fn bce(logits: Tensor<2>, labels: Tensor<2>) -> Tensor<1> {
    let soft = logits.clone().abs().neg().exp().add_scalar(1.0).log();
    logits.clone().clamp_min(0.0).sub(logits.mul(labels)).add(soft).mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    #[test]
    fn bce_matches_its_formula() {
        let mut rng = Rng::new(7);
        let logits = random(5, 3, &mut rng);
        let labels: Mat = (0..5).map(|i| (0..3).map(|j| ((i + j) % 2) as f64).collect()).collect();
        let reference = |x: &Mat, y: &Mat| {
            let mut sum = 0.0;
            for (xr, yr) in x.iter().zip(y) {
                for (x, y) in xr.iter().zip(yr) {
                    let p = 1.0 / (1.0 + (-x).exp());
                    sum -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
                }
            }
            sum / 15.0
        };
        check("bce", &logits, &labels, reference, super::bce);
    }
}
