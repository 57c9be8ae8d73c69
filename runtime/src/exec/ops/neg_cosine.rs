//! `neg_cosine(a, b)`: mean of −cos(aᵢ, bᵢ) over rows; vectors `[r, d]` or tokens (flattened to
//! rows), rows repeated to match → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::NegCosine;

use super::{Env, Forward, Inputs, paired_rows};
use crate::error::RunError;
use crate::tensor::row_cosine;
use crate::val::Val;

impl Forward for NegCosine {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = paired_rows(x.take(self.a)?, x.take(self.b)?)?;
        Ok(Val::Scalar(neg_cosine(a, b)))
    }
}

/// Mean over rows of −cos(aᵢ, bᵢ) (BYOL, UniVIP).
pub fn neg_cosine(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    row_cosine(a, b).neg().mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, cos, random};
    use crate::rng::Rng;

    fn ref_neg_cosine(a: &Mat, b: &Mat) -> f64 {
        -a.iter().zip(b).map(|(x, y)| cos(x, y)).sum::<f64>() / a.len() as f64
    }

    #[test]
    fn neg_cosine_matches_its_formula() {
        let mut rng = Rng::new(1);
        let (a, b) = (random(6, 5, &mut rng), random(6, 5, &mut rng));
        check("neg_cosine", &a, &b, ref_neg_cosine, super::neg_cosine);
    }
}
