//! `mse(a, b)`: the mean of (a − b)² over every entry, any two values of one shape → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Mse;

use super::{Env, Forward, Inputs, flat};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Mse {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let a = flat(x.take(self.a)?)?;
        let b = flat(x.take(self.b)?)?;
        Ok(Val::Scalar(mse(a, b)))
    }
}

/// Mean squared error over all elements.
pub fn mse(a: Tensor<1>, b: Tensor<1>) -> Tensor<1> {
    a.sub(b).powf_scalar(2.0).mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    #[test]
    fn mse_matches_its_formula() {
        let mut rng = Rng::new(5);
        let (a, b) = (random(3, 4, &mut rng), random(3, 4, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let d: Vec<f64> = a
                .iter()
                .flatten()
                .zip(b.iter().flatten())
                .map(|(x, y)| (x - y).powi(2))
                .collect();
            d.iter().sum::<f64>() / d.len() as f64
        };
        check("mse", &a, &b, reference, |a, b| {
            super::mse(a.flatten(0, 1), b.flatten(0, 1))
        });
    }
}
