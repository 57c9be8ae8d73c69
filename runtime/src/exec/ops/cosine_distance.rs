//! `cosine_distance(a, b)`: mean of 2 − 2·cos(aᵢ, bᵢ) over rows → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::CosineDistance;

use super::{Env, Forward, Inputs, paired_rows};
use crate::error::RunError;
use crate::tensor::row_cosine;
use crate::val::Val;

impl Forward for CosineDistance {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = paired_rows(x.take(self.a)?, x.take(self.b)?)?;
        Ok(Val::Scalar(cosine_distance(a, b)))
    }
}

/// Mean over rows of 2 − 2·cos(aᵢ, bᵢ) (FLSL's mean-shift term).
pub fn cosine_distance(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    row_cosine(a, b).mul_scalar(-2.0).add_scalar(2.0).mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, cos, random};
    use crate::rng::Rng;

    fn ref_cosine_distance(a: &Mat, b: &Mat) -> f64 {
        a.iter().zip(b).map(|(x, y)| 2.0 - 2.0 * cos(x, y)).sum::<f64>() / a.len() as f64
    }

    #[test]
    fn cosine_distance_matches_its_formula() {
        let mut rng = Rng::new(2);
        let (a, b) = (random(6, 5, &mut rng), random(6, 5, &mut rng));
        check("cosine_distance", &a, &b, ref_cosine_distance, super::cosine_distance);
    }
}
