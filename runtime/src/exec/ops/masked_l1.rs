//! `masked_l1(pred, target, mask)`: the mean of |pred − target| over the features of masked tokens
//! only. `[b, n, d]`, `[b, n, d]`, mask over n → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::MaskedL1;

use super::{Env, Forward, Inputs, masked_mean};
use crate::error::RunError;
use crate::val::Val;

impl Forward for MaskedL1 {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let pred = x.take(self.pred)?.tokens()?;
        let target = x.take(self.target)?.tokens()?;
        let mask = x.take(self.mask)?.mask()?;
        let rows = pred.dims()[0];
        Ok(Val::Scalar(masked_l1(pred, target, mask.for_rows(rows).masked)))
    }
}

/// Mean absolute error on masked tokens only (SimMIM): Σ |p − t|·m / (Σ m · width), with `masked`
/// 1 on masked tokens.
pub fn masked_l1(pred: Tensor<3>, target: Tensor<3>, masked: Tensor<2>) -> Tensor<1> {
    masked_mean(pred.sub(target).abs(), masked)
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;
    use burn::tensor::{Tensor, TensorData};

    #[test]
    fn masked_l1_matches_its_formula() {
        let mut rng = Rng::new(6);
        let (p, t) = (random(6, 4, &mut rng), random(6, 4, &mut rng));
        let masked = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        let reference = |p: &Mat, t: &Mat| {
            let mut sum = 0.0;
            for (i, m) in masked.iter().enumerate() {
                sum += m * p[i].iter().zip(&t[i]).map(|(a, b)| (a - b).abs()).sum::<f64>();
            }
            sum / (masked.iter().sum::<f64>() * 4.0)
        };
        let device = crate::device::default().autodiff();
        let m = Tensor::<2>::from_data(TensorData::new(masked.map(|v| v as f32).to_vec(), [1, 6]), &device);
        check("masked_l1", &p, &t, reference, |p, t| {
            super::masked_l1(p.unsqueeze_dim(0), t.unsqueeze_dim(0), m.clone())
        });
    }
}
